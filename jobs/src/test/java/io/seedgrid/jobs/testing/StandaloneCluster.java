package io.seedgrid.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark standalone cluster on 127.0.0.1 for one test class: a master and workers in their own JVMs,
 * whose executors are further JVMs, and a driver in the test JVM.
 *
 * <p>Spark's worker builds an executor's command from {@code SPARK_HOME/jars}, so the cluster gets a
 * SPARK_HOME under {@code jobs/target/standalone-cluster/} whose {@code jars/} links to the test
 * classpath's jars; the class directories (this build's classes and test classes) reach executors
 * through {@code spark.executor.extraClassPath}, and the JVM flags Spark needs on Java 17 through
 * {@code spark.executor.extraJavaOptions} (from {@link SeedgridBuild#jvmFlags()}).
 *
 * <p>With {@link Options#gpuAddresses()} set, each worker offers a "gpu" resource found by the project's
 * {@code conf/gpu-discovery.sh}, run against a stand-in {@code nvidia-smi} that prints those indices.
 *
 * <p>Only one SparkContext may run per JVM: {@link #startApp} stops the shared {@link TestSpark} session
 * and {@link #close()} stops the app, the workers (whose executors die with them) and the master.
 */
public final class StandaloneCluster implements AutoCloseable {

    /**
     * @param workers worker JVMs
     * @param coresPerWorker cores each worker offers
     * @param workerMemory memory each worker offers to executors, e.g. {@code "1g"}
     * @param gpuAddresses the "gpu" addresses each worker offers; empty for no gpu resource
     */
    public record Options(int workers, int coresPerWorker, String workerMemory, List<String> gpuAddresses) {
        public Options {
            gpuAddresses = List.copyOf(gpuAddresses);
            if (workers < 1 || coresPerWorker < 1) {
                throw new IllegalArgumentException("a cluster needs at least one worker with one core");
            }
        }
    }

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(150);
    /** Short-lived test JVMs start faster with the client compiler only and the serial collector. */
    private static final List<String> QUICK_START_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final Path root;
    private final Path sparkHome;
    private final int masterPort;
    private final int masterUiPort;
    private final List<String> classDirs;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private SparkSession app;

    private StandaloneCluster(Options options, Path root, Path sparkHome, List<String> classDirs, int masterPort, int masterUiPort) {
        this.options = options;
        this.root = root;
        this.sparkHome = sparkHome;
        this.classDirs = classDirs;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
    }

    /** Starts the master and workers and waits until every worker is registered and alive. */
    public static StandaloneCluster start(Options options) throws IOException, InterruptedException {
        return start(options, testClasspath());
    }

    /**
     * Starts a cluster whose SPARK_HOME/jars, master and workers hold {@code classpath} only (jars; class
     * directories reach executors through {@link #appConf()}). With the jars of a Spark distribution and nothing
     * of seedgrid, an application must bring all of its own classes, as on a real cluster.
     */
    public static StandaloneCluster start(Options options, List<String> classpath) throws IOException, InterruptedException {
        Path clusters = SeedgridBuild.targetDir().resolve("standalone-cluster");
        deleteEarlierRuns(clusters);
        Path root = clusters.resolve(UUID.randomUUID().toString().substring(0, 8));
        Path sparkHome = buildSparkHome(root.resolve("spark-home"), classpath);
        List<String> classDirs = classpath.stream().filter(e -> Files.isDirectory(Path.of(e))).toList();
        StandaloneCluster cluster = new StandaloneCluster(options, root, sparkHome, classDirs, freePort(), freePort());
        try {
            cluster.launch(classpath);
            cluster.awaitWorkers();
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's state as its web UI reports it ({@code /json/}): workers, their resources, apps. */
    public JsonNode masterState() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("master UI answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /**
     * The settings an app on this cluster needs besides its master: driver on 127.0.0.1, the executor classpath
     * and JVM flags, small executors (one core, 512 MB).
     */
    public Map<String, String> appConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
        conf.put("spark.executor.extraClassPath", String.join(File.pathSeparator, classDirs));
        List<String> executorFlags = new ArrayList<>(SeedgridBuild.jvmFlags());
        executorFlags.addAll(QUICK_START_FLAGS);
        conf.put("spark.executor.extraJavaOptions", String.join(" ", executorFlags));
        conf.put("spark.executor.memory", "512m");
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", Integer.toString(options.workers() * options.coresPerWorker()));
        return conf;
    }

    /**
     * Starts an app on this cluster (stopping the shared local session first) and waits until {@code
     * executors} executors have registered, so that work spreads over all of them.
     */
    public synchronized SparkSession startApp(SessionSpec spec, int executors) throws InterruptedException {
        if (app != null) {
            throw new IllegalStateException("an app already runs on this cluster");
        }
        TestSpark.stop();
        SessionSpec onCluster = spec.withMaster(masterUrl()).withConf(merge(appConf(), spec.conf()));
        SparkSession session = SparkSessions.getOrCreate(onCluster);
        if (!session.sparkContext().master().equals(masterUrl())) {
            throw new IllegalStateException("a SparkContext on " + session.sparkContext().master()
                    + " still runs in this JVM; stop it before starting an app on the cluster");
        }
        app = session;
        // getExecutorInfos() lists the driver too.
        await(executors + " executors registered", () -> session.sparkContext().statusTracker().getExecutorInfos().length > executors);
        return app;
    }

    /**
     * The executor JVMs this cluster's workers started: descendants of the worker processes this class launched,
     * never any other process of the machine.
     */
    public synchronized List<ProcessHandle> executors() {
        return processes.stream().skip(1)
                .flatMap(worker -> worker.toHandle().descendants())
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .toList();
    }

    /** Stops the app, then the workers with their executors, then the master. */
    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
            TestSpark.stopAnyOther();
        }
        List<Process> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        for (Process p : reversed) {
            stopTree(p);
        }
        processes.clear();
    }

    /** The log files of the master and workers, for a failing test's message. */
    public String logTail(int lines) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> logs = Files.list(root.resolve("logs"))) {
            for (Path log : logs.sorted().toList()) {
                List<String> all = Files.readAllLines(log);
                out.append("== ").append(log).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e.getMessage()).append(")");
        }
        return out.toString();
    }

    private void launch(List<String> classpath) throws IOException {
        Files.createDirectories(root.resolve("logs"));
        processes.add(spawn("master", classpath, List.of(), Map.of(),
                "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(masterUiPort)));
        Map<String, String> env = new LinkedHashMap<>();
        List<String> props = new ArrayList<>();
        if (!options.gpuAddresses().isEmpty()) {
            Path bin = fakeNvidiaSmi(root.resolve("fake-bin"), options.gpuAddresses());
            env.put("PATH", bin + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            props.add("-Dspark.worker.resource.gpu.amount=" + options.gpuAddresses().size());
            props.add("-Dspark.worker.resource.gpu.discoveryScript="
                    + SeedgridBuild.repoRoot().resolve("conf").resolve("gpu-discovery.sh"));
        }
        for (int w = 0; w < options.workers(); w++) {
            Path workDir = Files.createDirectories(root.resolve("work-" + w));
            processes.add(spawn("worker-" + w, classpath, props, env,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                    "--cores", Integer.toString(options.coresPerWorker()), "--memory", options.workerMemory(),
                    "--work-dir", workDir.toString(), masterUrl()));
        }
    }

    private Process spawn(String name, List<String> classpath, List<String> props, Map<String, String> env,
            String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(SeedgridBuild.jvmFlags());
        command.add("-Xmx384m");
        command.addAll(QUICK_START_FLAGS);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.addAll(props);
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("logs").resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        // bin/load-spark-env.sh exports it in a Spark distribution; the worker's command builder needs it.
        pb.environment().put("SPARK_SCALA_VERSION", scalaBinaryVersion());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        return pb.start();
    }

    private void awaitWorkers() throws InterruptedException {
        await(options.workers() + " workers alive", () -> {
            try {
                JsonNode state = masterState();
                int alive = 0;
                for (JsonNode w : state.path("workers")) {
                    if ("ALIVE".equals(w.path("state").asText())) {
                        alive++;
                    }
                }
                return alive == options.workers();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited (" + p.exitValue() + ") while waiting for "
                            + what + "\n" + logTail(40));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + STARTUP_TIMEOUT.toSeconds() + " s waiting for "
                        + what + "\n" + logTail(40));
            }
            Thread.sleep(200);
        }
    }

    /** SIGTERM (the worker's shutdown hook kills its executors), then SIGKILL for what is left. */
    private static void stopTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static Map<String, String> merge(Map<String, String> base, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(base);
        all.putAll(overrides);
        return all;
    }

    /** The test JVM's classpath; surefire's manifest-only booter jar is expanded to what it names. */
    public static List<String> testClasspath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (Path.of(entry).getFileName().toString().startsWith("surefirebooter")) {
                try (JarFile booter = new JarFile(entry)) {
                    String manifestPath = booter.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String url : manifestPath.split(" ")) {
                        if (!url.isBlank()) {
                            entries.add(Path.of(URI.create(url)).toString());
                        }
                    }
                }
            } else {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return entries.stream().distinct().collect(Collectors.toList());
    }

    /** Removes the directories of earlier clusters (the last run's stay for inspection until the next). */
    private static void deleteEarlierRuns(Path clusters) throws IOException {
        if (!Files.isDirectory(clusters)) {
            return;
        }
        try (Stream<Path> all = Files.walk(clusters)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(clusters)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** SPARK_HOME with {@code jars/} linking to the classpath's jars (first of each file name wins). */
    private static Path buildSparkHome(Path home, List<String> classpath) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Set<String> names = new HashSet<>();
        for (String entry : classpath) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && p.toString().endsWith(".jar") && names.add(p.getFileName().toString())) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
            }
        }
        return home;
    }

    /** A stand-in nvidia-smi that answers the discovery script's query with {@code addresses}. */
    private static Path fakeNvidiaSmi(Path bin, List<String> addresses) throws IOException {
        Files.createDirectories(bin);
        Path smi = bin.resolve("nvidia-smi");
        String script = "#!/bin/sh\n"
                + "if [ \"$*\" != \"--query-gpu=index --format=csv,noheader\" ]; then\n"
                + "  echo \"fake nvidia-smi: unexpected arguments: $*\" >&2; exit 2\n"
                + "fi\n"
                + "printf '" + String.join("\\n", addresses) + "\\n'\n";
        Files.writeString(smi, script);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** "2.13" for the Scala library on the classpath. */
    private static String scalaBinaryVersion() {
        String[] parts = scala.util.Properties.versionNumberString().split("\\.");
        return parts[0] + "." + parts[1];
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Where the cluster's SPARK_HOME, logs and work directories are (kept under target/ for inspection). */
    public Path root() {
        return root;
    }

    /** The cluster's SPARK_HOME: {@code jars/} links to its classpath's jars, {@code conf/} is empty. */
    public Path sparkHome() {
        return sparkHome;
    }

    /** The environment a Spark launcher needs for this cluster (what bin/load-spark-env.sh exports), on 127.0.0.1. */
    public Map<String, String> sparkEnv() {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", scalaBinaryVersion(),
                "SPARK_LOCAL_IP", "127.0.0.1");
    }

    /** Worker {@code w}'s work directory: one folder per application, one per executor in it (stdout, stderr, fetched jars). */
    public Path workDir(int w) {
        return root.resolve("work-" + w);
    }

    /** Stops a process this test started, and its descendants (by their PIDs): SIGTERM, then SIGKILL after 15 s. */
    public static void stop(Process p) {
        stopTree(p);
    }
}
