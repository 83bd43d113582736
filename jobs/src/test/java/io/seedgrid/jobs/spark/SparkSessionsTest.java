package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The session plan: local vs cluster mode, gpu keys, S3A committer, precedence. Starts no Spark. */
class SparkSessionsTest {

    private static final SessionSpec JOB = SessionSpec.of("seedgrid generate");

    @ParameterizedTest
    @ValueSource(strings = {"local", "local[2]", "local[*]", "local[4,3]", "local[*, 2]", "LOCAL[8]"})
    void localMasters(String master) {
        assertTrue(SparkSessions.isLocalMaster(master), master);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spark://10.0.0.1:7077", "yarn", "k8s://https://k:443", "local-cluster[2,1,1024]", "localhost", "local[]"})
    void clusterMasters(String master) {
        assertFalse(SparkSessions.isLocalMaster(master), master);
    }

    /** The forms of Spark's SparkContext.createTaskScheduler (SparkMasterRegex), matched as case-sensitively as there. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "local[2]", "local[*]", "local[4,3]", "local[*, 2]", "local-cluster[2,1,1024]",
        "spark://10.0.0.1:7077", "spark://a:7077,b:7078", "yarn", "k8s://https://k:443"})
    void masterUrlsSparkAccepts(String master) {
        SparkSessions.checkMaster(master);
        assertEquals(master, SparkSessions.plan(JOB.withMaster(master), Map.of()).master());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus://x", "spark://head", "spark://head:0", "spark://a:1,", "local[0]", "local[x]", "LOCAL[8]",
        "localhost", "local[]", "yarn-client", "mesos://m:5050"})
    void otherStringsAreRefusedInOneLine(String master) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSessions.checkMaster(master));
        assertEquals("Spark master '" + master + "' is not a master URL: use local, local[N], local[*], local[N,F],"
                + " spark://HOST:PORT, yarn or k8s://HOST:PORT", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(JOB, Map.of("spark.master", master)),
                "a master spark-submit passed is checked too");
    }

    @Test
    void localModeSetsNoGpuKeysAndSensibleDefaults() {
        SessionPlan plan = SparkSessions.plan(JOB.withMaster("local[3]").withUi(false), Map.of());
        assertTrue(plan.local());
        assertEquals("local[3]", plan.conf().get("spark.master"));
        assertEquals("seedgrid generate", plan.conf().get("spark.app.name"));
        assertEquals("6", plan.conf().get("spark.sql.shuffle.partitions"));
        assertEquals("false", plan.conf().get("spark.ui.enabled"));
        assertEquals("127.0.0.1", plan.conf().get("spark.driver.bindAddress"));
        assertTrue(plan.conf().keySet().stream().noneMatch(k -> k.contains(".resource.")), plan.conf().toString());
    }

    @Test
    void masterComesFromTheJobThenSparkSubmitThenLocalStar() {
        assertEquals("yarn", SparkSessions.plan(JOB.withMaster("yarn"), Map.of()).master());
        assertEquals("spark://h:7077", SparkSessions.plan(JOB.withMaster(" spark://h:7077"),
                Map.of("spark.master", "spark://h:7077")).master(), "the same master twice is no contradiction");
        assertEquals("spark://h:7077", SparkSessions.plan(JOB, Map.of("spark.master", "spark://h:7077")).master());
        SessionPlan fallback = SparkSessions.plan(JOB, Map.of());
        assertEquals("local[*]", fallback.master());
        assertEquals(Integer.toString(2 * Runtime.getRuntime().availableProcessors()),
                fallback.conf().get("spark.sql.shuffle.partitions"));
    }

    @Test
    void aJobMasterOtherThanSparkSubmitsIsRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(
                JOB.withMaster("local[2]"), Map.of("spark.master", "spark://head:7077")));
        assertTrue(e.getMessage().startsWith("the run asks for Spark master local[2] (the run config's spark.master or"
                + " seedgrid's --master), but spark-submit set spark://head:7077"), e.getMessage());
        assertTrue(e.getMessage().contains("remove spark.master from the run config"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void clusterShufflePartitionsAreSizedByTheJobsKeysUpToSparksDefault() {
        SessionSpec cluster = JOB.withMaster("spark://h:7077");
        assertEquals("32", SparkSessions.plan(cluster.withShuffleKeys(32), Map.of()).conf().get("spark.sql.shuffle.partitions"));
        assertEquals("200", SparkSessions.plan(cluster.withShuffleKeys(8_000), Map.of()).conf().get("spark.sql.shuffle.partitions"));
        assertNull(SparkSessions.plan(cluster, Map.of()).conf().get("spark.sql.shuffle.partitions"), "unknown keys: Spark's own");
        assertFalse(SparkSessions.plan(cluster.withShuffleKeys(32), Map.of("spark.sql.shuffle.partitions", "64")).conf()
                .containsKey("spark.sql.shuffle.partitions"), "spark-submit's setting is kept");
        assertEquals("7", SparkSessions.plan(cluster.withShuffleKeys(32).withConf("spark.sql.shuffle.partitions", "7"), Map.of())
                .conf().get("spark.sql.shuffle.partitions"), "the job's own setting wins");
        assertEquals("4", SparkSessions.plan(JOB.withMaster("local[2]").withShuffleKeys(32), Map.of()).conf()
                .get("spark.sql.shuffle.partitions"), "local mode: twice the cores, as before");
    }

    @Test
    void gpuKeysInLocalModeAreRefusedNamingThem() {
        IllegalArgumentException fromJob = assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(
                JOB.withMaster("local[2]").withConf("spark.task.resource.gpu.amount", "1"), Map.of()));
        assertTrue(fromJob.getMessage().contains("spark.task.resource.gpu.amount (job settings)"), fromJob.getMessage());
        assertTrue(fromJob.getMessage().contains("local mode"), fromJob.getMessage());

        IllegalArgumentException fromSubmit = assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(JOB,
                Map.of("spark.master", "local[*]", "spark.executor.resource.gpu.amount", "1",
                        "spark.executor.resource.gpu.discoveryScript", "/opt/gpu.sh")));
        assertTrue(fromSubmit.getMessage().contains(
                "spark.executor.resource.gpu.amount (spark-submit or spark-defaults), "
                        + "spark.executor.resource.gpu.discoveryScript (spark-submit or spark-defaults)"),
                fromSubmit.getMessage());
    }

    @Test
    void clusterModeLeavesResourcesToSparkDefaults() {
        Map<String, String> submitted = Map.of(
                "spark.master", "spark://h:7077",
                "spark.executor.resource.gpu.amount", "1",
                "spark.task.resource.gpu.amount", "1");
        SessionPlan plan = SparkSessions.plan(JOB, submitted);
        assertFalse(plan.local());
        assertEquals(Map.of("spark.master", "spark://h:7077", "spark.app.name", "seedgrid generate"), plan.conf(),
                "nothing but master and name: resources, memory and shuffle come from spark-defaults");
    }

    @Test
    void explicitSettingsWinOverDefaults() {
        SessionPlan plan = SparkSessions.plan(JOB.withMaster("local[2]").withOutput("s3a://b/r")
                .withConf("spark.sql.shuffle.partitions", "1"), Map.of("spark.driver.host", "10.1.1.1"));
        assertEquals("1", plan.conf().get("spark.sql.shuffle.partitions"));
        assertFalse(plan.conf().containsKey("spark.driver.host"), "spark-submit's driver host is kept");
    }

    @Test
    void describeNamesSettingsButNeverValues() {
        SessionPlan plan = SparkSessions.plan(JOB.withMaster("local[2]").withOutput("s3a://b/r")
                .withConf("spark.hadoop.fs.s3a.secret.key", "very-secret-value"), Map.of());
        String line = plan.describe();
        assertTrue(line.contains("spark.hadoop.fs.s3a.secret.key"), line);
        assertFalse(line.contains("very-secret-value"), line);
    }

    @Test
    void getOrCreateRefusesGpuKeysInLocalModeBeforeStartingSpark() {
        var before = SparkSession.getDefaultSession();
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.getOrCreate(
                JOB.withMaster("local[1]").withConf("spark.executor.resource.gpu.amount", "1")));
        assertEquals(before, SparkSession.getDefaultSession(), "no session was started");
    }
}
