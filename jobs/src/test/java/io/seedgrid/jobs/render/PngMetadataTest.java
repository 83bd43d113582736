package io.seedgrid.jobs.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.recipe.Recipes;
import io.seedgrid.udf.sampler.ScheduleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The A1111 {@code parameters} text of every recipe kind, and the one model hash render and generate write. */
class PngMetadataTest {

    private static final String BASE = "a".repeat(64);
    private static final String DMD2 = "b".repeat(64);

    @TempDir
    Path tmp;

    private static String settingsLine(Map<String, String> chunks) {
        String parameters = chunks.get("parameters");
        return parameters.substring(parameters.lastIndexOf('\n') + 1);
    }

    private static Map<String, String> hashes() {
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put("base", BASE);
        hashes.put("dmd2", DMD2);
        return hashes;
    }

    @Test
    void renderWritesTheModelsContentHashAsGenerateDoes() throws Exception {
        Path model = TinyGrid.tinyModel("fp32");
        Path out = tmp.resolve("x.png");
        Cli run = Cli.run("render", "--model", model.toString(), "--prompt", "a red circle", "--seed", "1", "--steps", "2",
                "--width", "64", "--height", "64", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        Map<String, String> text = PngFile.text(Files.readAllBytes(out));
        String content = ModelIdentity.contentHash(ModelDirectory.open(model));
        assertTrue(settingsLine(text).contains("Model hash: " + content.substring(0, 10) + ", Model: fp32"), text.get("parameters"));
        JsonNode json = new ObjectMapper().readTree(text.get("seedgrid"));
        assertEquals(content, json.get("models").get("fp32").asText());
    }

    @Test
    void namedSchedulesUseA1111sLabelsAndTheOthersSayWhatRan() {
        String karras = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.base("b", "base", "dpmpp_2m",
                ScheduleSpec.of(20, "karras"), 5), 64, 64, Map.of("base", BASE)));
        assertTrue(karras.contains("Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5"), karras);
        String sgm = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.base("b", "base", "euler",
                ScheduleSpec.of(20, "sgm_uniform"), 5), 64, 64, Map.of("base", BASE)));
        assertTrue(sgm.contains("Schedule type: SGM Uniform"), sgm);
        String trailing = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.base("b", "base", "euler",
                ScheduleSpec.of(20, "trailing"), 5), 64, 64, Map.of("base", BASE)));
        assertTrue(trailing.contains("Timestep spacing: trailing") && !trailing.contains("Schedule type"), trailing);
    }

    @Test
    void dmd2WritesItsExplicitTimestepsNotLcmsDefaults() {
        String line = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.dmd2("dmd2", "dmd2",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), 64, 64, Map.of("dmd2", DMD2)));
        assertTrue(line.startsWith("Steps: 4, Sampler: LCM, CFG scale: 1,"), line);
        assertTrue(line.contains("Timesteps: \"999, 749, 499, 249\""), line);
        assertFalse(line.contains("Schedule type"), line);
        String skip = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.skipFirst("s", "dmd2",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), 64, 64, Map.of("dmd2", DMD2)));
        assertTrue(skip.startsWith("Steps: 3,") && skip.contains("Timesteps: \"749, 499, 249\""), skip);
    }

    @Test
    void aHybridDescribesEveryPhaseWithItsModel() {
        String line = settingsLine(PngMetadata.forRecipe("p", "n", 1, Recipes.hybrid("hybrid", "base", "euler", 5, 1, "dmd2",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), 64, 64, hashes()));
        assertTrue(line.contains("Sampler: Euler, CFG scale: 5,"), line);
        assertTrue(line.contains("Model hash: aaaaaaaaaa, Model: base"), line);
        assertTrue(line.contains("Phases: \"steps 1-1: base (aaaaaaaaaa), Euler, CFG 5; steps 2-4: dmd2 (bbbbbbbbbb), LCM, CFG 1\""),
                line);
    }

    @Test
    void aBlendNamesBothModelsAndAlpha() {
        Map<String, String> chunks = PngMetadata.forRecipe("p", "", 1, Recipes.blend("blend-0.3", "base", "dmd2", 0.3, "lcm",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS), 1), 64, 64, hashes());
        String line = settingsLine(chunks);
        assertTrue(line.contains("Blend: base (aaaaaaaaaa) + 0.3 * (dmd2 (bbbbbbbbbb) - base),"), line);
        assertTrue(chunks.get("seedgrid").contains(DMD2), "both full hashes in the seedgrid chunk");
    }

    @Test
    void displayNamesMayStandInTheRecipesOrder() {
        Map<String, String> byFolder = new LinkedHashMap<>();
        byFolder.put("sdxl-base", BASE);
        byFolder.put("dmd2-fp16", DMD2);
        String line = settingsLine(PngMetadata.forRecipe("p", "", 1, Recipes.hybrid("hybrid", "model", "euler", 5, 1, "student",
                ScheduleSpec.explicit(Recipes.DMD2_TIMESTEPS)), 64, 64, byFolder));
        assertTrue(line.contains("Model: sdxl-base") && line.contains("steps 2-4: dmd2-fp16 (bbbbbbbbbb)"), line);
    }
}
