package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seedgrid.jobs.testing.SeedgridBuild;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** conf/spark-defaults*.conf agree with the code and the build: no drift, no gpu keys where they hang. */
class SparkDefaultsConfTest {

    private static Map<String, String> load(String name) throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(SeedgridBuild.repoRoot().resolve("conf").resolve(name))) {
            props.load(in);
        }
        Map<String, String> map = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k).strip()));
        return map;
    }

    @Test
    void localDefaultsHaveNoGpuKeysAndPassSparkSessions() throws Exception {
        Map<String, String> local = load("spark-defaults.conf");
        assertTrue(local.keySet().stream().noneMatch(k -> k.contains(".resource.")), local.toString());
        assertTrue(local.values().stream().noneMatch(v -> v.contains("#")), "no trailing comments in values: " + local);
        SessionPlan plan = SparkSessions.plan(SessionSpec.of("seedgrid"), local);
        assertTrue(plan.local());
        assertEquals("local[*]", plan.master());
    }

    @Test
    void clusterDefaultsCarryTheBuildsJvmFlags() throws Exception {
        Map<String, String> cluster = load("spark-defaults.cluster.conf");
        List<String> flags = SeedgridBuild.jvmFlags();
        for (String key : List.of("spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions")) {
            List<String> configured = Arrays.asList(cluster.get(key).split("\\s+"));
            assertTrue(configured.containsAll(flags), key + " lacks some of " + flags);
        }
    }

    @Test
    void clusterDefaultsScheduleGpusAndCommitToS3WithTheMagicCommitter() throws Exception {
        Map<String, String> cluster = load("spark-defaults.cluster.conf");
        assertEquals("1", cluster.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", cluster.get("spark.task.resource.gpu.amount"));
        assertEquals(cluster.get("spark.executor.cores"), cluster.get("spark.task.cpus"),
                "the one GPU task of an executor gets every core, for its PNG threads");
        assertTrue(cluster.get("spark.executor.resource.gpu.discoveryScript").endsWith("/gpu-discovery.sh"));
        S3aCommitter.SETTINGS.forEach((k, v) -> assertEquals(v, cluster.get(k), k));
        assertTrue(cluster.values().stream().noneMatch(v -> v.contains(" #")), "no trailing comments in values");
        assertFalse(cluster.keySet().stream().anyMatch(k -> k.endsWith(".access.key") || k.endsWith(".secret.key")),
                "no credentials in the file");

        SessionPlan plan = SparkSessions.plan(SessionSpec.of("seedgrid").withMaster("spark://h:7077")
                .withOutput("s3a://bucket/runs"), cluster);
        assertFalse(plan.local());
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(
                SessionSpec.of("seedgrid").withMaster("local[2]"), cluster), "the cluster file cannot run locally");
    }

    @Test
    void discoveryScriptIsExecutable() {
        Path script = SeedgridBuild.repoRoot().resolve("conf").resolve("gpu-discovery.sh");
        assertTrue(Files.isExecutable(script), script + " must be executable: Spark runs it directly");
    }
}
