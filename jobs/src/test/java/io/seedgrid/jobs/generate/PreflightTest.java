package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.onnx.ModelHash;
import io.seedgrid.udf.onnx.SessionCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Preflight}: the driver checks models from their files and never holds one. */
class PreflightTest {

    private static RunConfig config(Path dir, String models, String recipes) throws IOException {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, """
                run: preflight
                output: %s
                models:
                %s
                prompts: [a red cube]
                seeds: [1]
                width: 64
                height: 48
                recipes:
                %s
                """.formatted(dir.resolve("out"), models, recipes));
        return RunConfigParser.parse(file);
    }

    @Test
    void checksEveryModelWithoutAnOnnxRuntimeSessionAndHashesLast(@TempDir Path dir) throws IOException {
        // Fresh copies: a session loaded for them would be a new entry of the JVM's session cache.
        TinyGrid.copyTree(TinyGrid.tinyModel("fp32"), dir.resolve("base"));
        TinyGrid.copyTree(TinyGrid.tinyModel("dmd2-unet-only"), dir.resolve("dmd2"));
        String models = """
                  base: {path: %s, device: cpu, precision: fp32}
                  dmd2: {path: %s, base: %s, device: cpu}
                """.formatted(dir.resolve("base"), dir.resolve("dmd2"), dir.resolve("base"));
        String recipes = TinyGrid.BASE_AND_DMD2 + "  - {name: blend, kind: blend, a: base, b: dmd2, alpha: 0.5}\n";
        int sessions = SessionCache.size();
        Map<String, ModelIdentity> identities = Preflight.check(config(dir, models, recipes));
        assertEquals(sessions, SessionCache.size(), "Preflight created ONNX Runtime sessions");
        assertEquals(64, identities.get("base").sha256().length());
        assertTrue(Files.exists(dir.resolve("base/unet").resolve(ModelHash.CACHE_FILE)));

        // a refused run hashes nothing
        Files.delete(dir.resolve("base/unet").resolve(ModelHash.CACHE_FILE));
        IllegalArgumentException precision = assertThrows(IllegalArgumentException.class,
                () -> Preflight.check(config(dir, models.replace("precision: fp32", "precision: fp16"), recipes)));
        assertEquals("model 'base' is declared fp16 but its UNet takes fp32 latents", precision.getMessage());
        IllegalArgumentException itself = assertThrows(IllegalArgumentException.class, () -> Preflight.check(
                config(dir, models, recipes.replace("a: base, b: dmd2", "a: base, b: base"))));
        assertEquals("recipe 'blend' blends model 'base' with itself", itself.getMessage());
        assertFalse(Files.exists(dir.resolve("base/unet").resolve(ModelHash.CACHE_FILE)));
        assertEquals(sessions, SessionCache.size());
    }
}
