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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** conf/spark-defaults*.conf agree with the code and the build: no drift, no gpu keys where they hang. */
class SparkDefaultsConfTest {

    private static final String CPU = "spark-defaults.cluster.conf";
    private static final String GPU = "spark-defaults.cluster-gpu.conf";

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
        List<String> flags = SeedgridBuild.jvmFlags();
        for (String file : List.of(CPU, GPU)) {
            Map<String, String> cluster = load(file);
            for (String key : List.of("spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions")) {
                List<String> configured = Arrays.asList(cluster.get(key).split("\\s+"));
                assertTrue(configured.containsAll(flags), file + ": " + key + " lacks some of " + flags);
            }
        }
    }

    @Test
    void theCpuClusterFileRunsOnAnyWorkersWithSparksOwnJars() throws Exception {
        Map<String, String> cluster = load(CPU);
        assertTrue(cluster.keySet().stream().noneMatch(k -> k.contains(".resource.")), "no GPU keys: " + cluster);
        // The S3A commit protocol's classes are not in Spark's distribution: set for every output, they failed every
        // run without spark-hadoop-cloud ("Error while instantiating SessionStateBuilder"). seedgrid's tasks publish
        // their files by rename and need no Spark committer.
        for (String k : List.of("spark.sql.sources.commitProtocolClass", "spark.sql.parquet.output.committer.class",
                "spark.hadoop.fs.s3a.committer.name")) {
            assertFalse(cluster.containsKey(k), k);
        }
        assertFalse(cluster.containsKey("spark.executor.cores"), "standalone: an executor takes its worker's cores");
        assertFalse(cluster.containsKey("spark.master"), "the master comes from spark-submit's --master");
        assertNoTrailingCommentsOrCredentials(cluster);

        SessionPlan onS3 = SparkSessions.plan(SessionSpec.of("seedgrid").withMaster("spark://h:7077")
                .withOutput("s3a://bucket/runs"), cluster);
        assertFalse(onS3.local());
        assertFalse(onS3.conf().containsKey("spark.sql.sources.commitProtocolClass"), "no committer for s3a:// either");
    }

    @Test
    void theGpuClusterFileIsTheCpuFilePlusGpuSchedulingAndGpuSizing() throws Exception {
        Map<String, String> cpu = load(CPU);
        Map<String, String> gpu = load(GPU);
        assertEquals("1", gpu.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", gpu.get("spark.task.resource.gpu.amount"));
        assertTrue(gpu.get("spark.executor.resource.gpu.discoveryScript").endsWith("/gpu-discovery.sh"));
        assertEquals("PCI_BUS_ID", gpu.get("spark.executorEnv.CUDA_DEVICE_ORDER"));
        Set<String> sizing = Set.of("spark.executor.memory", "spark.executor.memoryOverhead", "spark.executor.cores");
        for (Map.Entry<String, String> e : cpu.entrySet()) {
            if (!sizing.contains(e.getKey())) {
                assertEquals(e.getValue(), gpu.get(e.getKey()), "the GPU file differs from the CPU file in " + e.getKey());
            }
        }
        Set<String> added = new TreeSet<>(gpu.keySet());
        added.removeAll(cpu.keySet());
        assertEquals(new TreeSet<>(Set.of("spark.executor.resource.gpu.amount", "spark.task.resource.gpu.amount",
                "spark.executor.resource.gpu.discoveryScript", "spark.executorEnv.CUDA_DEVICE_ORDER",
                "spark.executor.cores", "spark.task.cpus")), added);
        assertEquals(gpu.get("spark.executor.cores"), gpu.get("spark.task.cpus"),
                "the one GPU task of an executor gets every core, for its PNG threads");
        assertNoTrailingCommentsOrCredentials(gpu);
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.plan(
                SessionSpec.of("seedgrid").withMaster("local[2]"), gpu), "the GPU file cannot run locally");
    }

    private static void assertNoTrailingCommentsOrCredentials(Map<String, String> conf) {
        assertTrue(conf.values().stream().noneMatch(v -> v.contains(" #")), "no trailing comments in values");
        assertFalse(conf.keySet().stream().anyMatch(k -> k.endsWith(".access.key") || k.endsWith(".secret.key")),
                "no credentials in the file");
    }

    @Test
    void discoveryScriptIsExecutable() {
        Path script = SeedgridBuild.repoRoot().resolve("conf").resolve("gpu-discovery.sh");
        assertTrue(Files.isExecutable(script), script + " must be executable: Spark runs it directly");
    }
}
