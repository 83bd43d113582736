package io.seedgrid.jobs;

import io.seedgrid.udf.onnx.OrtRuntime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The build facts that every output row's code version carries. */
class BuildInfoTest {

    @Test
    void gitCommitIsThisCheckoutsHead() throws Exception {
        String commit = BuildInfo.gitCommit();
        assertTrue(commit.matches("[0-9a-f]{12}(-dirty)?|unknown"), commit);
        Optional<String> head = head();
        if (head.isPresent()) {
            // built by Maven in this git checkout: the plugin recorded its HEAD
            assertTrue(head.get().startsWith(commit.replace("-dirty", "")), commit + " is not HEAD " + head.get());
        }
    }

    @Test
    void gitCommitFromTheBuildProperties() {
        assertEquals("0123456789ab", BuildInfo.gitCommit(properties("0123456789ab", "false")));
        assertEquals("0123456789ab-dirty", BuildInfo.gitCommit(properties("0123456789ab", "true")));
        // outside a git checkout Maven leaves the placeholders as they are
        assertEquals("unknown", BuildInfo.gitCommit(properties("${git.commit.id.abbrev}", "${git.dirty}")));
        assertEquals("unknown", BuildInfo.gitCommit(new Properties()));
        assertEquals("unknown", BuildInfo.gitCommit(properties("main", "true")));
    }

    @Test
    void codeVersionNamesTheCommitAndTheOnnxRuntimeThatRuns() throws IOException {
        Properties built = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/seedgrid-build.properties")) {
            built.load(in);
        }
        assertEquals(built.getProperty("onnxruntime"), BuildInfo.onnxRuntimeVersion(Optional.empty(), built),
                "before ONNX Runtime is loaded: the version built against");
        assertEquals("1.99.0", BuildInfo.onnxRuntimeVersion(Optional.of("1.99.0"), built));

        String loaded = OrtRuntime.environment().getVersion();
        assertEquals(Optional.of(loaded), OrtRuntime.loadedVersion());
        assertEquals(built.getProperty("onnxruntime"), loaded, "the pinned ONNX Runtime is the one on the class path");
        assertEquals(loaded, BuildInfo.onnxRuntimeVersion());
        String code = BuildInfo.codeVersion();
        assertEquals("seedgrid " + BuildInfo.version() + " (git " + BuildInfo.gitCommit() + ", onnxruntime " + loaded
                + ", spark " + built.getProperty("spark") + ")", code);
        assertTrue(code.matches("seedgrid \\S+ \\(git ([0-9a-f]{12}(-dirty)?|unknown), onnxruntime \\d+\\.\\d+\\.\\d+,"
                + " spark \\d+\\.\\d+\\.\\d+\\)"), code);
    }

    private static Properties properties(String commit, String dirty) {
        Properties p = new Properties();
        p.setProperty("git.commit", commit);
        p.setProperty("git.dirty", dirty);
        return p;
    }

    /** HEAD of the checkout the tests run in, when git runs there; empty outside a checkout or without git. */
    private static Optional<String> head() throws InterruptedException {
        Path repo = Path.of(System.getProperty("seedgrid.repo", "."));
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!git.waitFor(30, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return Optional.empty();
            }
            return git.exitValue() == 0 && Files.exists(repo.resolve(".git")) ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // no git executable
        }
    }
}
