package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.SeedgridBuild;
import io.seedgrid.jobs.testing.StandaloneCluster;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster path, end to end: {@code jobs/target/seedgrid-cluster.jar} submitted through Spark's own
 * launcher ({@code org.apache.spark.launcher.Main} builds the driver's command from SPARK_HOME and the properties
 * file, as {@code bin/spark-submit} does, and {@code org.apache.spark.deploy.SparkSubmit} runs in that forked JVM)
 * to a standalone master and worker on 127.0.0.1 whose SPARK_HOME holds Spark's jars and nothing of seedgrid, with
 * {@code conf/spark-defaults.cluster.conf} and the README's override for small workers.
 *
 * <p>Runs in {@code mvn verify -Pcluster} (bin/test) right after the jar is built; elsewhere it is skipped
 * with the reason when the jar is missing or older than the classes.
 */
class ClusterSubmitTest {

    /** Jars the cluster jar brings (so the cluster must not) and S3 jars that Spark's distribution lacks. */
    private static final List<String> NOT_IN_SPARK = List.of("seedgrid-", "onnxruntime", "picocli-", "snakeyaml-",
            "parquet-avro-", "spark-hadoop-cloud", "hadoop-aws-", "bundle-", "analyticsaccelerator-s3-", "wildfly-openssl-");
    private static final long SUBMIT_TIMEOUT_SECONDS = 300;

    private static Path jar;
    private static StandaloneCluster cluster;
    /** Why the tests cannot run in this build, or null. */
    private static String skipped;

    /** A finished spark-submit: its exit code and everything it printed. */
    record Submitted(int code, String output) {
    }

    @BeforeAll
    static void start() throws Exception {
        jar = SeedgridBuild.targetDir().resolve("seedgrid-cluster.jar");
        Path classpathFile = SeedgridBuild.targetDir().resolve("seedgrid.classpath");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(classpathFile)) {
            skipped = "skipped: " + jar + " or " + classpathFile + " is missing; `mvn verify -Pcluster` (bin/test) builds"
                    + " them and runs this test";
            return;
        }
        FileTime classes = newest(SeedgridBuild.targetDir().resolve("classes"),
                SeedgridBuild.repoRoot().resolve("udf/target/classes"));
        if (Files.getLastModifiedTime(jar).compareTo(classes) < 0) {
            skipped = "skipped: " + jar + " is older than the compiled classes; `mvn verify -Pcluster` rebuilds it";
            return;
        }
        List<String> sparkJars = Arrays.stream(Files.readString(classpathFile).strip().split(File.pathSeparator))
                .filter(entry -> NOT_IN_SPARK.stream().noneMatch(Path.of(entry).getFileName().toString()::startsWith))
                .toList();
        cluster = StandaloneCluster.start(new StandaloneCluster.Options(1, 2, "2g", List.of()), sparkJars);
    }

    /** Each test is reported as skipped, with the reason, when the jar under test is missing or stale. */
    @BeforeEach
    void jarIsThere() {
        assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theClusterConfRunsEveryStageOnTheClusterAndTheExecutorNeverProbesCuda(@TempDir Path dir) throws Exception {
        Path metrics = TinyGrid.copyMetricModels(dir.resolve("metrics"));
        RunConfig config = TinyGrid.config(dir, "submitted", dir.resolve("out").toString(),
                "  - a red cube on a blue floor\n  - a green sphere\n", TinyGrid.BASE_AND_DMD2, """
                        measure:
                          lpips: %s
                          clip: %s
                          reference_recipe: base
                          bootstrap: 100
                        """.formatted(metrics.resolve("lpips-tiny"), metrics.resolve("clip-tiny")));

        // The README's command for CPU workers, with its override for workers smaller than the file's sizes.
        Submitted run = submit(dir.resolve("submit.log"), "--properties-file", conf("spark-defaults.cluster.conf"),
                "--conf", "spark.executor.memory=1g",
                "--class", "io.seedgrid.jobs.cli.Main", jar.toString(), "run", config.source());
        assertEquals(0, run.code(), run.output());

        Dataset<Row> images = TestSpark.session().read().parquet(config.runDirectory() + "/images");
        assertEquals(12, images.count(), "2 prompts x 3 seeds x 2 recipes");
        assertEquals(12, images.select("cell_id").distinct().count(), "every cell exactly once");
        assertEquals(List.of("ok"), strings(images, "status"));
        assertEquals(List.of("cpu"), strings(images, "device"));
        Dataset<Row> groups = TestSpark.session().read().parquet(config.runDirectory() + "/groups");
        assertEquals(4, groups.select("prompt_id", "recipe").distinct().count(), "every (prompt, recipe) measured");
        assertTrue(Files.isRegularFile(Path.of(config.runDirectory(), "report.html")));

        // The tasks ran in the worker's executor JVM, loaded ONNX Runtime there, and never probed CUDA (device: cpu).
        String executors = executorLogs();
        assertTrue(executors.contains("Finished task"), "tasks ran on an executor");
        assertTrue(executors.contains("ONNX Runtime 1.28.0 loaded on thread 'Executor task launch worker"), executors.length()
                + " characters of executor logs without ONNX Runtime's load line");
        assertFalse(executors.contains("CUDA probe"), "an executor probed CUDA although every model says device: cpu");
    }

    @Test
    void theGpuConfOnWorkersWithoutGpusStopsWithOneLineInsteadOfWaitingForever(@TempDir Path dir) throws Exception {
        RunConfig config = TinyGrid.config(dir, "gpu", dir.resolve("out").toString(), "  - a red cube\n",
                TinyGrid.BASE_AND_DMD2, "");
        Submitted run = submit(dir.resolve("submit.log"), "--properties-file", conf("spark-defaults.cluster-gpu.conf"),
                // the worker's 2 cores: one executor whose one GPU task takes them all, as the conf's 4 and 4
                "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=2", "--conf", "spark.task.cpus=2",
                "--conf", FirstExecutor.TIMEOUT_KEY + "=10s",
                "--class", "io.seedgrid.jobs.cli.Main", jar.toString(), "run", config.source());
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("seedgrid: error: no executor started within 10 s on " + cluster.masterUrl()
                + ": each executor asks for 1 gpu (spark.executor.resource.gpu.amount)"), run.output());
        assertFalse(Files.exists(Path.of(config.runDirectory(), "images")), "nothing was rendered");
    }

    @Test
    void aRunConfigNamingAnotherMasterIsRefusedBeforeSparkStarts(@TempDir Path dir) throws Exception {
        RunConfig config = TinyGrid.config(dir, "demo-copy", dir.resolve("out").toString(), "  - a red cube\n",
                TinyGrid.BASE_AND_DMD2, "spark:\n  master: local[2]");
        Submitted run = submit(dir.resolve("submit.log"), "--properties-file", conf("spark-defaults.cluster.conf"),
                "--class", "io.seedgrid.jobs.cli.Main", jar.toString(), "run", config.source());
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("seedgrid: error: the run asks for Spark master local[2] (the run config's"
                + " spark.master or seedgrid's --master), but spark-submit set " + cluster.masterUrl()), run.output());
        assertFalse(run.output().contains("Submitted application"), "no SparkContext was started");
    }

    @Test
    void theJarHoldsLinuxNativesAndSeedgridsDependenciesButNoSpark() throws IOException {
        Set<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(e -> e.getName()).collect(Collectors.toSet());
        }
        assertTrue(entries.contains("ai/onnxruntime/native/linux-x64/libonnxruntime.so"));
        assertTrue(entries.contains("ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so"));
        assertEquals(Set.of("ai/onnxruntime/native/", "ai/onnxruntime/native/linux-x64/"), entries.stream()
                .filter(e -> e.startsWith("ai/onnxruntime/native/") && e.endsWith("/")).collect(Collectors.toSet()),
                "natives for linux-x64 only");
        for (String cls : List.of("io/seedgrid/jobs/cli/Main.class", "io/seedgrid/udf/pipeline/SdxlPipeline.class",
                "ai/onnxruntime/OrtSession.class", "picocli/CommandLine.class", "org/yaml/snakeyaml/Yaml.class")) {
            assertTrue(entries.contains(cls), cls);
        }
        assertFalse(entries.stream().anyMatch(e -> e.startsWith("org/apache/spark/") || e.startsWith("org/apache/hadoop/")
                || e.startsWith("scala/")), "Spark, Hadoop and Scala come from the cluster");
    }

    /**
     * Runs spark-submit as bin/spark-submit does: Spark's launcher prints the driver's command (NUL-separated after
     * a NUL and a newline), which then runs in its own JVM. Stopped by its PID when it outlives the timeout.
     */
    private static Submitted submit(Path log, String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> launcher = new ArrayList<>(List.of(java.toString(), "-cp", cluster.sparkHome().resolve("jars") + "/*",
                "org.apache.spark.launcher.Main", "org.apache.spark.deploy.SparkSubmit", "--master", cluster.masterUrl()));
        launcher.addAll(List.of(args));
        ProcessBuilder build = new ProcessBuilder(launcher).redirectError(ProcessBuilder.Redirect.INHERIT);
        build.environment().putAll(cluster.sparkEnv());
        Process builder = build.start();
        String printed = new String(builder.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, builder.waitFor(), "Spark's launcher failed: " + printed);
        int start = printed.indexOf("\0\n");
        assertTrue(start >= 0, "no command in the launcher's output: " + printed);
        List<String> command = Arrays.stream(printed.substring(start + 2).split("\0")).filter(a -> !a.isEmpty()).toList();

        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(cluster.sparkEnv());
        Process driver = pb.start();
        if (!driver.waitFor(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            StandaloneCluster.stop(driver);
            throw new AssertionError("spark-submit did not finish in " + SUBMIT_TIMEOUT_SECONDS + " s:\n" + Files.readString(log));
        }
        return new Submitted(driver.exitValue(), Files.readString(log));
    }

    private static String conf(String name) {
        return SeedgridBuild.repoRoot().resolve("conf").resolve(name).toString();
    }

    private static List<String> strings(Dataset<Row> rows, String column) {
        return rows.select(column).distinct().collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
    }

    /** Every executor's stderr on the worker (work-dir/app-*&#47;N/stderr). */
    private static String executorLogs() throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(cluster.workDir(0))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                out.append(Files.readString(p));
            }
        }
        return out.toString();
    }

    private static FileTime newest(Path... dirs) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    FileTime t = Files.getLastModifiedTime(p);
                    if (t.compareTo(newest) > 0) {
                        newest = t;
                    }
                }
            }
        }
        return newest;
    }
}
