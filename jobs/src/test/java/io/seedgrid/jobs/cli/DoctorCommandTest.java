package io.seedgrid.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seedgrid.jobs.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seedgrid doctor} on this machine, which has no GPU and no CUDA libraries. */
class DoctorCommandTest {

    private static final Path REPO = Path.of(System.getProperty("seedgrid.repo"));

    @Test
    void autoWorksOnTheCpuAndTheReportSaysWhatIsThere() {
        Cli run = Cli.run("doctor", "--seconds", "0.2");
        assertEquals(0, run.code(), run.out() + run.err());
        String out = run.out();
        assertTrue(out.contains("\nONNX Runtime\n  1.28.0; execution providers in its jar: "), out);
        assertTrue(out.contains("libonnxruntime_providers_cuda.so: in the jar"), out);
        assertTrue(out.contains("Java\n  " + System.getProperty("java.version")), out);
        assertTrue(out.contains("  libcudnn.so.9: "), out);
        assertTrue(out.contains("CUDA_VISIBLE_DEVICES="), out);
        assertTrue(out.contains("ONNX Runtime calls at once per GPU: "), out);
        assertTrue(out.contains("\nSpark GPU settings\n"), out);
        assertTrue(out.matches("(?s).*  auto: works.*benchmark: the probe graph \\d+ times in .* calls/s.*"), out);
        assertTrue(out.endsWith("OK: every configured device works.\n"), out);
    }

    @Test
    void aCudaDeviceWithoutItsLibrariesIsExitTwoWithWhatToInstall() {
        Cli probe = Cli.run("doctor", "--seconds", "0.1");
        assumeTrue(probe.out().contains("libcudnn.so.9: MISSING"), "CUDA is installed here");

        Cli run = Cli.run("doctor", "--device", "cuda:0", "--device", "cpu", "--seconds", "0.1");
        assertEquals(2, run.code(), run.out());
        assertTrue(run.out().contains("  cuda:0: DOES NOT WORK: ONNX Runtime could not add its CUDA execution provider"),
                run.out());
        assertTrue(run.out().contains("Install ") && run.out().contains("cuDNN 9 for CUDA 12"), run.out());
        assertTrue(run.out().contains("  libcudnn.so.9: MISSING: install cuDNN 9 for CUDA 12"), run.out());
        assertTrue(run.out().contains("  cpu: works: cpu"), run.out());
        assertTrue(run.out().endsWith("NOT OK: cuda:0 does not work.\n"), run.out());
    }

    @Test
    void aConfigsModelsAreCheckedOnTheirDevices() {
        Cli run = Cli.run("doctor", REPO.resolve("conf/demo.yaml").toString(), "--seconds", "0.1");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("  cpu (models base, dmd2): works: cpu"), run.out());
        assertTrue(run.out().contains("  master: local[2]"), run.out());
    }

    @Test
    void gpuResourceKeysInLocalModeAreAProblem(@TempDir Path dir) throws Exception {
        String demo = Files.readString(REPO.resolve("conf/demo.yaml"))
                .replace("../models", REPO.resolve("models").toString())
                .replace("  master: local[2]", "  master: local[2]\n  conf: {spark.executor.resource.gpu.amount: \"1\"}");
        Path config = Files.writeString(dir.resolve("gpu-local.yaml"), demo);
        Cli run = Cli.run("doctor", config.toString(), "--seconds", "0.1");
        assertEquals(2, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("spark.executor.resource.gpu.amount=1 (the run config)"), run.out());
        assertTrue(run.out().contains("NOT OK: Spark GPU resource keys are set with a local master"), run.out());
    }

    @Test
    void badArgumentsAreBadInput() {
        assertEquals(2, Cli.run("doctor", "--device", "tpu").code());
        assertEquals(2, Cli.run("doctor", "--seconds", "0").code());
    }
}
