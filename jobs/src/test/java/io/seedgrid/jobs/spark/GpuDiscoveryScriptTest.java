package io.seedgrid.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.testing.SeedgridBuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/gpu-discovery.sh against stand-in nvidia-smi programs; its output parsed as Spark parses it. */
class GpuDiscoveryScriptTest {

    record Run(String stdout, String stderr, int exitCode) {
    }

    private static Run discover(Path bin, Map<String, String> env) throws IOException, InterruptedException {
        Path script = SeedgridBuild.repoRoot().resolve("conf").resolve("gpu-discovery.sh");
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString());
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the script finishes");
        return new Run(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip(), p.exitValue());
    }

    private static Path smi(Path bin, String body) throws IOException {
        Files.createDirectories(bin);
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static List<String> addresses(String json) {
        // Spark's own parser: what a worker or executor makes of the script's output.
        ResourceInformation info = ResourceInformation.parseJson(json);
        assertEquals("gpu", info.name());
        return List.of(info.addresses());
    }

    @Test
    void printsNvidiaSmiIndices(@TempDir Path tmp) throws Exception {
        Path bin = smi(tmp.resolve("bin"), "[ \"$*\" = \"--query-gpu=index --format=csv,noheader\" ] || exit 3\nprintf '0\\n1\\n2\\n3\\n'");
        Run run = discover(bin, Map.of());
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\",\"3\"]}", run.stdout());
        assertEquals(List.of("0", "1", "2", "3"), addresses(run.stdout()));
    }

    @Test
    void withoutNvidiaSmiPrintsNoAddressesAndSaysWhy(@TempDir Path tmp) throws Exception {
        Run run = discover(Files.createDirectories(tmp.resolve("empty")), Map.of());
        assertEquals(0, run.exitCode());
        assertEquals(List.of(), addresses(run.stdout()));
        assertTrue(run.stderr().contains("nvidia-smi not found"), run.stderr());
    }

    @Test
    void failingNvidiaSmiPrintsNoAddressesAndItsMessage(@TempDir Path tmp) throws Exception {
        Path bin = smi(tmp.resolve("bin"), "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'; exit 9");
        Run run = discover(bin, Map.of());
        assertEquals(0, run.exitCode());
        assertEquals(List.of(), addresses(run.stdout()));
        assertTrue(run.stderr().contains("could not communicate with the NVIDIA driver"), run.stderr());
    }

    @Test
    void cudaVisibleDevicesAreRenumberedAsCudaDoes(@TempDir Path tmp) throws Exception {
        Path bin = smi(tmp.resolve("bin"), "printf '0\\n1\\n2\\n3\\n'");
        assertEquals(List.of("0", "1"), addresses(discover(bin, Map.of("CUDA_VISIBLE_DEVICES", "2,3")).stdout()));
        assertEquals(List.of("0", "1", "2"), addresses(discover(bin, Map.of("CUDA_VISIBLE_DEVICES", "GPU-8d1f,GPU-77aa,MIG-1")).stdout()));
        Run hidden = discover(bin, Map.of("CUDA_VISIBLE_DEVICES", ""));
        assertEquals(List.of(), addresses(hidden.stdout()));
        assertTrue(hidden.stderr().contains("hides every GPU"), hidden.stderr());
    }

    @Test
    void unexpectedLinesAreSkipped(@TempDir Path tmp) throws Exception {
        Path bin = smi(tmp.resolve("bin"), "printf '0\\nNo devices were found\\n 1 \\n'");
        Run run = discover(bin, Map.of());
        List<String> found = new ArrayList<>(addresses(run.stdout()));
        assertEquals(List.of("0", "1"), found);
        assertTrue(run.stderr().contains("ignoring unexpected"), run.stderr());
    }

    @Test
    void outputIsOneJsonObject(@TempDir Path tmp) throws Exception {
        JsonNode json = new ObjectMapper().readTree(discover(smi(tmp.resolve("bin"), "echo 5"), Map.of()).stdout());
        assertEquals(2, json.size());
        assertEquals("5", json.path("addresses").get(0).asText());
    }
}
