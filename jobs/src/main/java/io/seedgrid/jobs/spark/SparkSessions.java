package io.seedgrid.jobs.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.ExternalClusterManager;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Builds a job's SparkSession.
 *
 * <p><b>Local mode</b> ({@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]}): one JVM
 * and no executor resources. Any {@code spark.(executor|task|driver|worker).resource.gpu.*} setting is
 * refused, because tasks asking for a "gpu" resource that local mode never offers wait forever; the
 * device then comes from the run's device setting ({@code TaskDevice} falls back to it). Code running on
 * a local context must never call {@code RDD.withResources}: stage-level scheduling is not supported
 * there and it stops the SparkContext. Shuffle partitions default to twice the cores (not Spark's 200)
 * and the driver binds to 127.0.0.1.
 *
 * <p><b>Cluster mode</b> (anything else): resource amounts, discovery scripts, memory and executor
 * options come from spark-defaults and spark-submit (see {@code conf/spark-defaults.cluster.conf} and
 * {@code conf/spark-defaults.cluster-gpu.conf}). seedgrid sizes the shuffle partitions by the job (its
 * number of shuffle keys, at most Spark's default of 200) unless they are set, and {@link #getOrCreate}
 * waits for the first executor ({@link FirstExecutor}): a cluster that cannot start one (executors asking
 * for GPUs, cores or memory that no worker offers) is refused with a line naming the request instead of
 * waiting forever.
 *
 * <p><b>S3</b>: seedgrid's tasks write their files through Hadoop's file system and publish them by rename
 * (no Spark commit protocol, so no committer settings are needed). Credentials come from the environment or
 * the Hadoop configuration ({@code spark.hadoop.fs.s3a.*}) and are never logged: the log line names settings,
 * never their values.
 *
 * <p>Precedence: the spec's own settings, then spark-submit's ({@code spark.*} system properties), then
 * seedgrid's defaults. The master is the exception: a spec whose master differs from the one spark-submit
 * set is refused, because either choice would silently run somewhere the user did not ask for (a run
 * config copied from the demo keeps {@code local[2]} and would run everything in the driver).
 */
public final class SparkSessions {

    /** The master when neither the job nor spark-submit names one. */
    public static final String DEFAULT_MASTER = "local[*]";

    /** Spark's default {@code spark.sql.shuffle.partitions}: the most seedgrid sizes a cluster's shuffles to. */
    static final long MAX_SHUFFLE_PARTITIONS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);
    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
    /** Spark's own master forms besides local mode (SparkMasterRegex, case as Spark matches it). */
    private static final Pattern SPARK_MASTER = Pattern.compile(
            "local-cluster\\[\\s*[0-9]+\\s*,\\s*[0-9]+\\s*,\\s*[0-9]+\\s*]|spark://[^,\\s]+(,[^,\\s]+)*|yarn|k8s://\\S+");
    /** Local mode exactly as Spark matches it: local, local[N], local[*], local[N,F], local[*,F]. */
    private static final Pattern LOCAL_THREADS = Pattern.compile("local(?:\\[([0-9]+|\\*)(?:\\s*,\\s*[0-9]+)?])?");
    private static final Pattern GPU_RESOURCE_KEY =
            Pattern.compile("spark\\.(executor|task|driver|worker)\\.resource\\.gpu\\..+");

    private SparkSessions() {
    }

    /**
     * The job's SparkSession. Settings spark-submit passed (as {@code spark.*} system properties) are
     * read to decide the mode and to check them; an existing session in this JVM is returned as it is
     * (Spark applies only runtime SQL settings to it).
     *
     * @throws IllegalArgumentException when the settings cannot work (not a master URL, gpu resources in
     *     local mode, dynamic partition overwrite with the S3A committer, a master other than spark-submit's, a
     *     cluster that starts no executor in time)
     */
    public static SparkSession getOrCreate(SessionSpec spec) {
        SessionPlan plan = plan(spec, submitted());
        LOG.info("{}: {}", spec.appName(), plan.describe());
        SparkSession.Builder builder = SparkSession.builder();
        plan.conf().forEach(builder::config);
        SparkSession session = builder.getOrCreate();
        String running = session.sparkContext().master();
        if (!running.equals(plan.master())) {
            LOG.warn("{}: a SparkSession on master {} already runs in this JVM and is reused instead of {}",
                    spec.appName(), running, plan.master());
        }
        if (!isLocalMaster(running)) {
            FirstExecutor.await(session.sparkContext());
        }
        return session;
    }

    /**
     * The settings for {@code spec}, given {@code submitted}: what spark-submit or spark-defaults already
     * set. Pure: starts nothing.
     */
    public static SessionPlan plan(SessionSpec spec, Map<String, String> submitted) {
        String launcherMaster = submitted.get("spark.master");
        if (spec.master() != null && launcherMaster != null && !spec.master().strip().equals(launcherMaster.strip())) {
            throw new IllegalArgumentException("the run asks for Spark master " + spec.master().strip()
                    + " (the run config's spark.master or seedgrid's --master), but spark-submit set " + launcherMaster.strip()
                    + " (its --master or a properties file): remove spark.master from the run config when submitting with"
                    + " spark-submit, or make the two equal");
        }
        String master = spec.master() != null ? spec.master().strip() : submitted.getOrDefault("spark.master", DEFAULT_MASTER);
        checkMaster(master);
        boolean local = isLocalMaster(master);
        Map<String, String> explicit = new HashMap<>(submitted);
        explicit.putAll(spec.conf());

        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.master", master);
        conf.put("spark.app.name", spec.appName());
        if (!spec.uiEnabled()) {
            conf.put("spark.ui.enabled", "false");
        }
        if (local) {
            refuseGpuResources(master, submitted, spec.conf());
            putDefault(conf, explicit, "spark.sql.shuffle.partitions", Integer.toString(2 * localCores(master)));
            putDefault(conf, explicit, "spark.driver.host", "127.0.0.1");
            putDefault(conf, explicit, "spark.driver.bindAddress", "127.0.0.1");
        } else if (spec.shuffleKeys() > 0) {
            // Spark's 200 shuffle partitions gave a 64-cell run 1,273 tasks, most of them empty.
            putDefault(conf, explicit, "spark.sql.shuffle.partitions",
                    Long.toString(Math.min(spec.shuffleKeys(), MAX_SHUFFLE_PARTITIONS)));
        }
        conf.putAll(spec.conf());
        return new SessionPlan(master, local, conf);
    }

    /**
     * Refuses a string that is not a Spark master URL, with one line saying which forms are: {@code local},
     * {@code local[N]}, {@code local[*]}, {@code local[N,F]}, {@code local-cluster[N,C,M]},
     * {@code spark://HOST:PORT[,HOST:PORT...]}, {@code yarn}, {@code k8s://...}, or a URL that a cluster
     * manager plugin on the classpath accepts (Spark's ExternalClusterManager). The forms are those of
     * Spark's SparkContext.createTaskScheduler; checking them first turns Spark's stack trace from inside
     * the SparkContext into a message before anything starts.
     */
    public static void checkMaster(String master) {
        if (master == null || SPARK_MASTER.matcher(master).matches() && validHostPorts(master)
                || LOCAL_THREADS.matcher(master).matches() && localThreads(master) > 0) {
            return;
        }
        ServiceLoader<ExternalClusterManager> managers = ServiceLoader.load(ExternalClusterManager.class,
                SparkSessions.class.getClassLoader());
        for (ExternalClusterManager manager : managers) {
            if (manager.canCreate(master)) {
                return;
            }
        }
        throw new IllegalArgumentException("Spark master '" + master + "' is not a master URL: use local, local[N], local[*],"
                + " local[N,F], spark://HOST:PORT, yarn or k8s://HOST:PORT");
    }

    private static boolean validHostPorts(String master) {
        if (!master.startsWith("spark://")) {
            return true;
        }
        for (String hostPort : master.substring("spark://".length()).split(",", -1)) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || !hostPort.substring(colon + 1).matches("[0-9]{1,5}")
                    || Integer.parseInt(hostPort.substring(colon + 1)) == 0) {
                return false;
            }
        }
        return true;
    }

    private static int localThreads(String master) {
        Matcher m = LOCAL_THREADS.matcher(master);
        if (!m.matches() || m.group(1) == null || m.group(1).equals("*")) {
            return 1;
        }
        return m.group(1).length() > 6 ? 0 : Integer.parseInt(m.group(1));
    }

    /** True for {@code local}, {@code local[N]}, {@code local[*]} and {@code local[N,F]}; false for {@code local-cluster[...]}. */
    public static boolean isLocalMaster(String master) {
        return master != null && LOCAL_MASTER.matcher(master.strip().toLowerCase(Locale.ROOT)).matches();
    }

    /** Task slots of a local master ({@code local[N]}: N, {@code local[*]}: the cores); 0 for a cluster's, unknown here. */
    public static int localSlots(String master) {
        return master != null && isLocalMaster(master) ? localCores(master) : 0;
    }

    private static int localCores(String master) {
        Matcher m = LOCAL_MASTER.matcher(master.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1) == null) {
            return 1;
        }
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(m.group(1)));
    }

    private static void refuseGpuResources(String master, Map<String, String> submitted, Map<String, String> own) {
        List<String> found = new ArrayList<>();
        own.keySet().stream().filter(k -> GPU_RESOURCE_KEY.matcher(k).matches()).sorted()
                .forEach(k -> found.add(k + " (job settings)"));
        submitted.keySet().stream().filter(k -> GPU_RESOURCE_KEY.matcher(k).matches() && !own.containsKey(k)).sorted()
                .forEach(k -> found.add(k + " (spark-submit or spark-defaults)"));
        if (!found.isEmpty()) {
            throw new IllegalArgumentException("Spark master " + master + " runs in local mode, which has no 'gpu'"
                    + " resource: tasks asking for one would wait forever. Remove " + String.join(", ", found)
                    + ", or run on a cluster with GPU workers (conf/spark-defaults.cluster-gpu.conf). In local mode the"
                    + " run's device setting (cpu, cuda, cuda:N, auto) chooses the GPU.");
        }
    }

    private static void putDefault(Map<String, String> conf, Map<String, String> explicit, String key, String value) {
        if (!explicit.containsKey(key)) {
            conf.put(key, value);
        }
    }

    /** What spark-submit passed: the {@code spark.*} system properties, as {@code new SparkConf()} loads them. */
    private static Map<String, String> submitted() {
        Map<String, String> settings = new HashMap<>();
        for (Tuple2<String, String> kv : new SparkConf(true).getAll()) {
            settings.put(kv._1(), kv._2());
        }
        return settings;
    }
}
