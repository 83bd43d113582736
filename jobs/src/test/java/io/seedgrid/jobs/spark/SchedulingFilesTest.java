package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.seedgrid.jobs.testing.SeedgridBuild;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The scheduling examples nothing here can run (no Docker, Kubernetes or Airflow on the test machines) stay valid
 * and in step with the build: conf/docker/Dockerfile, conf/kubernetes/seedgrid-scheduled.yaml and
 * conf/airflow/seedgrid_dag.py parse, name the pom's versions, and agree with conf/spark-defaults.cluster-gpu.conf.
 */
class SchedulingFilesTest {

    private static final Path ROOT = SeedgridBuild.repoRoot();
    private static final Path DOCKERFILE = ROOT.resolve("conf/docker/Dockerfile");
    private static final Path MANIFEST = ROOT.resolve("conf/kubernetes/seedgrid-scheduled.yaml");
    private static final Path DAG = ROOT.resolve("conf/airflow/seedgrid_dag.py");
    private static final String CLUSTER_JAR = "/opt/seedgrid/seedgrid-cluster.jar";
    /** group:artifact:version, the form of --packages and Maven coordinates. */
    private static final Pattern COORDINATE = Pattern.compile("\\b([a-z][\\w-]*(?:\\.[\\w-]+)+):([\\w.-]+):(\\d[\\w.-]*)");

    @Test
    void theDockerfileBuildsOnCuda12WithCudnnJava17AndThePomsSpark() throws IOException {
        Map<String, String> pom = pomProperties();
        String docker = Files.readString(DOCKERFILE);
        assertEquals(pom.get("spark.version"), arg(docker, "SPARK_VERSION"));
        assertTrue(arg(docker, "CUDA_IMAGE").matches("nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-ubuntu\\d+\\.\\d+"),
                "a CUDA 12 image with cuDNN (9 for every CUDA 12.x tag that has one): " + arg(docker, "CUDA_IMAGE"));
        String java = pom.get("maven.compiler.release");
        assertTrue(docker.contains("openjdk-" + java + "-jre-headless"), "the runtime's Java is the build's " + java);
        assertTrue(docker.contains("JAVA_HOME=/usr/lib/jvm/java-" + java + "-openjdk-amd64"));
        assertTrue(docker.contains("FROM maven:") && docker.contains("-eclipse-temurin-" + java + " AS build"));
        assertTrue(docker.contains("-Pcluster package"), "the image holds the cluster jar");
        assertTrue(docker.contains("COPY --from=build /src/jobs/target/seedgrid-cluster.jar " + CLUSTER_JAR));
        assertTrue(docker.contains("-DincludeArtifactIds=hadoop-aws,bundle,") && docker.contains(
                "spark-hadoop-cloud_" + pom.get("scala.binary.version")), "S3A jars at the pom's versions");
        // what the build stage and the image copy from the build context exists in the repository
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(docker);
        int copies = 0;
        while (copy.find()) {
            assertTrue(Files.exists(ROOT.resolve(copy.group(1))), "COPY " + copy.group(1) + ": no such path");
            copies++;
        }
        assertEquals(7, copies, "poms, sources, conf/ and bin/seedgrid-cron");
    }

    @Test
    void theScheduledSparkApplicationRunsTheImagesJarWithTheGpuConfsSettings() throws Exception {
        Map<String, String> pom = pomProperties();
        Map<String, String> gpuConf = sparkDefaults("spark-defaults.cluster-gpu.conf");
        List<Object> documents = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(MANIFEST)) {
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in).forEach(documents::add);
        }
        assertEquals(1, documents.size());
        Map<String, Object> app = map(documents.get(0));
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion"));
        assertEquals("ScheduledSparkApplication", app.get("kind"));
        Map<String, Object> spec = map(app.get("spec"));
        assertEquals(5, ((String) spec.get("schedule")).split(" ").length, "a cron schedule");
        assertEquals("Forbid", spec.get("concurrencyPolicy"), "no second run while one goes");

        Map<String, Object> template = map(spec.get("template"));
        assertEquals(pom.get("spark.version"), template.get("sparkVersion"));
        assertEquals("Java", template.get("type"));
        assertEquals("io.seedgrid.jobs.cli.Main", Class.forName((String) template.get("mainClass")).getName());
        assertEquals("local://" + CLUSTER_JAR, template.get("mainApplicationFile"), "the jar the Dockerfile puts in the image");
        assertEquals("run", ((List<?>) template.get("arguments")).get(0));
        String version = pom.get("project.version").replace("-SNAPSHOT", "");
        assertTrue(((String) template.get("image")).endsWith("/seedgrid:" + version), "the image is tagged with seedgrid's version");

        Map<String, Object> sparkConf = map(template.get("sparkConf"));
        assertEquals("nvidia.com", sparkConf.get("spark.executor.resource.gpu.vendor"), "Kubernetes needs the GPU's vendor");
        assertTrue(Files.isExecutable(ROOT.resolve("conf/gpu-discovery.sh")));
        assertEquals("/opt/seedgrid/conf/gpu-discovery.sh", sparkConf.get("spark.executor.resource.gpu.discoveryScript"),
                "the Dockerfile copies conf/ to /opt/seedgrid/conf/");
        for (String key : List.of("spark.executor.resource.gpu.amount", "spark.task.resource.gpu.amount",
                "spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions")) {
            assertTrue(sparkConf.containsKey(key), key);
        }
        // Kubernetes may have to start GPU nodes before the first executor: a longer wait than the file's.
        Set<String> differs = Set.of("spark.executor.resource.gpu.discoveryScript", FirstExecutor.TIMEOUT_KEY);
        for (Map.Entry<String, Object> e : sparkConf.entrySet()) {
            if (gpuConf.containsKey(e.getKey()) && !differs.contains(e.getKey())) {
                assertEquals(gpuConf.get(e.getKey()), String.valueOf(e.getValue()), e.getKey() + " differs from the GPU conf");
            }
        }
        Map<String, Object> executor = map(template.get("executor"));
        assertEquals(gpuConf.get("spark.executor.memory"), executor.get("memory"));
        assertEquals(gpuConf.get("spark.executor.memoryOverhead"), executor.get("memoryOverhead"));
        assertEquals(gpuConf.get("spark.executor.cores"), String.valueOf(executor.get("cores")));
        assertEquals(gpuConf.get("spark.driver.memory"), map(template.get("driver")).get("memory"));
        assertFalse(Files.readString(MANIFEST).contains("AWS_SECRET_ACCESS_KEY:"), "credentials come from a Secret");
    }

    @Test
    void theAirflowDagIsValidPython() throws Exception {
        Process python;
        try {
            python = new ProcessBuilder("python3", "-c",
                    "import ast, sys; ast.parse(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1]); print('parsed')",
                    DAG.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            abort("skipped: no python3 on PATH to parse " + DAG + " (" + e.getMessage() + ")");
            return;
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, python.exitValue(), out);
        assertEquals("parsed", out.strip());
        String dag = Files.readString(DAG);
        assertTrue(dag.contains("max_active_runs=1") && dag.contains("bin/seedgrid-cron"), "one run at a time");
        assertTrue(dag.contains("conf/spark-defaults.cluster-gpu.conf"));
    }

    @Test
    void everyMavenCoordinateInTheExamplesAndTheReadmeHasThePomsVersion() throws IOException {
        Map<String, String> pom = pomProperties();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("org.apache.spark:spark-hadoop-cloud_" + pom.get("scala.binary.version"), pom.get("spark.version"));
        expected.put("org.apache.hadoop:hadoop-aws", pom.get("hadoop.version"));
        expected.put("software.amazon.awssdk:bundle", pom.get("aws.sdk.version"));
        expected.put("com.microsoft.onnxruntime:onnxruntime_gpu", pom.get("onnxruntime.version"));
        int found = 0;
        for (Path file : List.of(DOCKERFILE, MANIFEST, DAG, ROOT.resolve("README.md"))) {
            Matcher m = COORDINATE.matcher(Files.readString(file));
            while (m.find()) {
                String artifact = m.group(1) + ":" + m.group(2);
                assertTrue(expected.containsKey(artifact), file + " names " + m.group() + ", which this test does not know");
                assertEquals(expected.get(artifact), m.group(3), file + ": " + m.group());
                found++;
            }
        }
        assertTrue(found >= 2, "the README and the DAG name the S3A package");
    }

    private static String arg(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(dockerfile);
        assertTrue(m.find(), "no ARG " + name);
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertTrue(node instanceof Map, "a mapping: " + node);
        return (Map<String, Object>) node;
    }

    /** The parent pom's properties, plus project.version. */
    private static Map<String, String> pomProperties() {
        try {
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile())
                    .getDocumentElement();
            Map<String, String> out = new HashMap<>();
            NodeList children = project.getChildNodes();
            for (int i = 0; i < children.getLength(); i++) {
                Node child = children.item(i);
                if (child.getNodeName().equals("version")) {
                    out.put("project.version", child.getTextContent().strip());
                } else if (child.getNodeName().equals("properties")) {
                    NodeList props = child.getChildNodes();
                    for (int j = 0; j < props.getLength(); j++) {
                        if (props.item(j) instanceof Element e) {
                            out.put(e.getTagName(), e.getTextContent().strip());
                        }
                    }
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read pom.xml", e);
        }
    }

    private static Map<String, String> sparkDefaults(String name) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("conf").resolve(name))) {
            props.load(in);
        }
        Map<String, String> out = new HashMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k).strip()));
        return out;
    }
}
