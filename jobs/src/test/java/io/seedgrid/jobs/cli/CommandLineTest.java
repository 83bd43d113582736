package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TinyGrid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.image.PngFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void helpListsTheCommandsWithoutWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        Cli run;
        Cli report;
        try {
            run = Cli.run("--help");
            report = Cli.run("report", "--help");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, run.code());
        for (String command : new String[] {"render", "generate", "inspect", "bench"}) {
            assertTrue(run.out().contains(command), run.out());
        }
        assertTrue(report.out().replaceAll("\\s+", " ").contains("95% bootstrap intervals"), report.out());
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8) + run.err() + report.err());
    }

    @Test
    void renderWritesOnePngWithItsParameters(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cube.png");
        Cli run = Cli.run("render", "--model", TinyGrid.tinyModel("fp32").toString(), "--prompt", "a red cube on a blue floor",
                "--negative", "blurry low quality", "--seed", "42", "--steps", "4", "--cfg", "5", "--sampler", "euler",
                "--width", "64", "--height", "48", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        byte[] png = Files.readAllBytes(out);
        assertEquals(64, PngFile.decode(png).width());
        assertEquals(48, PngFile.decode(png).height());
        Map<String, String> text = PngFile.text(png);
        String parameters = text.get("parameters");
        assertTrue(parameters.startsWith("a red cube on a blue floor\nNegative prompt: blurry low quality\nSteps: 4, Sampler: Euler,"),
                parameters);
        assertTrue(parameters.contains("CFG scale: 5, Seed: 42, Size: 64x48, Model hash: "), parameters);
        JsonNode json = JSON.readTree(text.get("seedgrid"));
        assertEquals("42", json.get("seed").asText());
        assertEquals(1, json.get("models").size());
    }

    @Test
    void renderRunsEveryRecipeKind(@TempDir Path dir) throws Exception {
        String base = TinyGrid.tinyModel("fp32").toString();
        String student = TinyGrid.tinyModel("dmd2-unet-only").toString();
        String[][] recipes = {
            {"--recipe", "dmd2", "--model", student, "--base", base},
            {"--recipe", "skip-first", "--model", student, "--base", base},
            {"--recipe", "hybrid", "--model", base, "--student", student},
            {"--recipe", "blend", "--model", base, "--student", student, "--alpha", "0.5"},
            {"--recipe", "cads", "--model", base, "--steps", "4"},
            {"--recipe", "interval-cfg", "--model", base, "--steps", "4"},
        };
        java.util.Set<String> images = new java.util.HashSet<>();
        for (String[] recipe : recipes) {
            Path out = dir.resolve(recipe[1] + ".png");
            String[] args = new String[recipe.length + 11];
            args[0] = "render";
            System.arraycopy(recipe, 0, args, 1, recipe.length);
            System.arraycopy(new String[] {"--prompt", "a red cube", "--seed", "3", "--width", "64", "--height", "64",
                    "--out", out.toString()}, 0, args, recipe.length + 1, 10);
            Cli run = Cli.run(args);
            assertEquals(0, run.code(), String.join(" ", recipe) + ": " + run.err());
            byte[] png = Files.readAllBytes(out);
            JsonNode json = JSON.readTree(PngFile.text(png).get("seedgrid"));
            assertEquals(recipe[1], json.get("recipe").asText());
            assertTrue(PngFile.text(png).get("parameters").contains("Recipe: " + recipe[1]));
            images.add(java.util.Base64.getEncoder().encodeToString(PngFile.decode(png).rgb()));
        }
        assertEquals(recipes.length, images.size(), "every recipe renders a different image");

        Path out = dir.resolve("x.png");
        Cli noAlpha = Cli.run("render", "--recipe", "blend", "--model", base, "--student", student, "--prompt", "a",
                "--seed", "1", "--out", out.toString());
        assertEquals(2, noAlpha.code());
        assertTrue(noAlpha.err().contains("--alpha"), noAlpha.err());
        Cli mismatched = Cli.run("render", "--recipe", "blend", "--model", base, "--student",
                TinyGrid.tinyModel("fp16").toString(), "--alpha", "0.5", "--prompt", "a red cube", "--seed", "1",
                "--width", "64", "--height", "64", "--out", out.toString());
        assertEquals(2, mismatched.code(), mismatched.err());
        assertTrue(mismatched.err().contains("model A") && mismatched.err().contains("model B"), mismatched.err());
        assertEquals(2, Cli.run("render", "--recipe", "turbo", "--model", base, "--prompt", "a", "--seed", "1",
                "--out", out.toString()).code());
        assertFalse(Files.exists(out));
    }

    @Test
    void badRenderInputExitsWithTwoAndWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("x.png");
        String model = TinyGrid.tinyModel("fp32").toString();
        String[][] bad = {
            {"--prompt", "a cube", "--seed", "1", "--width", "60"},
            {"--prompt", "  ", "--seed", "1"},
            {"--prompt", "a cube", "--seed", "-1"},
            {"--prompt", "a cube", "--seed", "18446744073709551616"},
            {"--prompt", "a cube", "--seed", "1", "--sampler", "heun"},
            {"--prompt", "a cube", "--seed", "1", "--scheduler", "exponential"},
            {"--prompt", "a cube", "--seed", "1", "--steps", "0"},
            {"--prompt", "a cube", "--seed", "1", "--timesteps", "999,999,499"},
            {"--prompt", "a cube", "--seed", "1", "--timesteps", "1200,749"},
        };
        for (String[] args : bad) {
            String[] full = new String[args.length + 4];
            full[0] = "render";
            full[1] = "--model";
            full[2] = model;
            System.arraycopy(args, 0, full, 3, args.length);
            full[full.length - 1] = "--out=" + out;
            Cli run = Cli.run(full);
            assertEquals(2, run.code(), String.join(" ", args) + " -> " + run.err());
            assertTrue(run.err().startsWith("seedgrid: error: "), run.err());
            assertFalse(Files.exists(out));
        }
        Cli missing = Cli.run("render", "--model", dir.resolve("nope").toString(), "--prompt", "a", "--seed", "1",
                "--out", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--model: no such file or directory: "), missing.err());
        Cli broken = Cli.run("render", "--model", TinyGrid.tinyModel("broken-signature").toString(), "--prompt", "a cube",
                "--seed", "1", "--width", "64", "--height", "64", "--out", out.toString());
        assertEquals(2, broken.code());
        assertTrue(broken.err().contains("encoder_hidden_states of width 96"), broken.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void generateRefusesBadConfigsBeforeAnySparkWork(@TempDir Path dir) throws Exception {
        String tiny = TinyGrid.tinyModel("fp32").toString();
        String good = """
                run: bad
                output: %s
                models: {base: {path: %s, device: cpu}}
                prompts: [a red cube]
                seeds: [1]
                width: 64
                height: 64
                recipes:
                  - {name: base, kind: base, model: base, steps: 4}
                """.formatted(dir.resolve("out"), tiny);
        String[][] cases = {
            {"steps: 4}", "steps: 4, sampler: lcm, scheduler: karras, steps: 50}", "appears twice"},
            {"steps: 4}", "sampler: lcm, scheduler: karras, steps: 50}", "recipe 'base'"},
            {"width: 64", "width: 65", "multiple of 8"},
            {"seeds: [1]", "seeds: [1]\nseed: 2", "unknown key 'seed'"},
            {"path: " + tiny, "path: " + dir.resolve("missing"), "no such file or directory: " + dir.resolve("missing")},
        };
        for (String[] c : cases) {
            Path config = dir.resolve("bad.yaml");
            Files.writeString(config, good.replace(c[0], c[1]));
            Cli run = Cli.run("generate", config.toString());
            assertEquals(2, run.code(), c[1] + ": " + run.err());
            assertTrue(run.err().contains(c[2]), c[1] + ": " + run.err());
            assertFalse(Files.exists(dir.resolve("out")), "nothing is written");
        }
    }

    @Test
    void inspectModelPrintsSignaturesSizesAndHashes() throws Exception {
        Cli run = Cli.run("inspect", "model", TinyGrid.tinyModel("fp32").toString());
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(run.out());
        JsonNode unet = json.get("components").get("unet");
        assertEquals(64, unet.get("sha256").asText().length());
        assertTrue(unet.get("bytes").asLong() > 0);
        assertEquals("timestep", unet.get("inputs").get(1).get("name").asText());
        assertEquals("int64", unet.get("inputs").get(1).get("dtype").asText());
        assertEquals("hidden_states.3", json.get("signature").get("text_encoder_layer").asText());
        assertEquals(80, json.get("signature").get("token_width").asInt());

        Cli broken = Cli.run("inspect", "model", TinyGrid.tinyModel("broken-signature").toString());
        assertEquals(2, broken.code());
        assertFalse(JSON.readTree(broken.out()).get("signature").get("fits").asBoolean());
    }

    /**
     * A model file that is a whole protobuf but that ONNX Runtime refuses to load (an operator it does not
     * know): render and inspect say so with the file named, exit 2.
     */
    @Test
    void aModelOnnxRuntimeRefusesIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        TinyGrid.copyTree(TinyGrid.tinyModel("fp32"), model);
        Path vae = model.resolve("vae_decoder/model.onnx");
        byte[] bytes = Files.readAllBytes(vae);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("Sigmoid"));
        // Same length, so every protobuf length still holds: only the operator's name changes.
        Files.write(vae, text.replace("Sigmoid", "Sigmiod").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Path out = dir.resolve("x.png");
        Cli render = Cli.run("render", "--model", model.toString(), "--prompt", "a cube", "--seed", "1", "--steps", "2",
                "--width", "64", "--height", "48", "--out", out.toString());
        Cli inspect = Cli.run("inspect", "model", model.toString());
        for (Cli run : new Cli[] {render, inspect}) {
            assertEquals(2, run.code(), run.err());
            assertTrue(run.err().startsWith("seedgrid: error: cannot load " + vae.toRealPath()), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void inspectTokensGivesBothTokenizersIds() throws Exception {
        Path clip = TinyGrid.repo().resolve("../shared/clip/bpe_simple_vocab_16e6.txt.gz").normalize();
        assertTrue(Files.isRegularFile(clip), "the real CLIP merges are expected at " + clip);
        Cli run = Cli.run("inspect", "tokens", "--tokenizer", clip.toString(), "a photo of a cat");
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(run.out());
        assertEquals(77, json.get("tokenizer").size());
        int[] expected = {49406, 320, 1125, 539, 320, 2368, 49407};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], json.get("tokenizer").get(i).asInt());
            assertEquals(expected[i], json.get("tokenizer_2").get(i).asInt());
        }
        assertEquals(49407, json.get("tokenizer").get(76).asInt());
        assertEquals(0, json.get("tokenizer_2").get(76).asInt());
        assertEquals(5, json.get("tokens").asInt());
        assertFalse(json.get("truncated").asBoolean());

        Cli model = Cli.run("inspect", "tokens", "--tokenizer", TinyGrid.tinyModel("fp32").toString(), "a red cube");
        assertEquals(0, model.code(), model.err());
        assertEquals(644, JSON.readTree(model.out()).get("tokenizer").get(0).asInt());
    }

    @Test
    void inspectScheduleMatchesDiffusersAnchors() throws Exception {
        JsonNode euler = JSON.readTree(Cli.run("inspect", "schedule", "--sampler", "euler", "--steps", "30").out());
        assertEquals(958, euler.get("timesteps").get(0).asInt());
        assertEquals(11.4768, euler.get("sigmas").get(0).asDouble(), 5e-5);
        assertEquals(31, euler.get("sigmas").size());
        assertEquals(0.0, euler.get("sigmas").get(30).asDouble());
        assertEquals(11.5203, euler.get("init_noise_sigma").asDouble(), 5e-5);

        JsonNode lcm = JSON.readTree(Cli.run("inspect", "schedule", "--sampler", "LCMScheduler", "--steps", "4").out());
        assertEquals("[999,759,499,259]", lcm.get("timesteps").toString());
        JsonNode dmd2 = JSON.readTree(Cli.run("inspect", "schedule", "--sampler", "lcm", "--timesteps", "999,749,499,249").out());
        assertEquals("[999,749,499,249]", dmd2.get("timesteps").toString());

        assertEquals(2, Cli.run("inspect", "schedule", "--sampler", "nope", "--steps", "4").code());
        assertEquals(2, Cli.run("inspect", "schedule", "--sampler", "euler", "--steps", "0").code());
        assertEquals(2, Cli.run("inspect", "schedule", "--sampler", "lcm", "--timesteps", "249,499").code());
        assertEquals(2, Cli.run("inspect", "schedule", "--sampler", "euler", "--steps", "4", "--scheduler", "nope").code());
    }

    @Test
    void inspectNoiseEqualsTorchRandn() throws Exception {
        // torch 1.13.1: g = torch.Generator("cpu").manual_seed(0); x = torch.randn(1, 4, 128, 128, generator=g)
        JsonNode json = JSON.readTree(Cli.run("inspect", "noise", "--seed", "0", "--shape", "1,4,128,128", "--draws", "2").out());
        JsonNode first = json.get("draws").get(0).get("first");
        double[] torch = {-1.1258398294448853, -1.152360200881958, -0.2505785822868347, -0.4338788092136383};
        for (int i = 0; i < torch.length; i++) {
            assertEquals(torch[i], first.get(i).asDouble(), 1e-7);
        }
        JsonNode last = json.get("draws").get(0).get("last");
        assertEquals(0.26185494661331177, last.get(14).asDouble(), 1e-7);
        assertEquals(-1.4578040838241577, last.get(15).asDouble(), 1e-7);
        assertEquals(-243.91198515811266, json.get("draws").get(0).get("sum").asDouble(), 1e-6);
        assertEquals(2, json.get("draws").size());
        // torch.randn(4, generator=torch.Generator("cpu").manual_seed(0)): the scalar path
        JsonNode small = JSON.readTree(Cli.run("inspect", "noise", "--seed", "0", "--shape", "4").out());
        assertEquals(1.5409960746765137, small.get("draws").get(0).get("first").get(0).asDouble(), 1e-7);
        // the largest seed: torch.Generator("cpu").manual_seed(2**64 - 1), randn(1, 4, 8, 8)
        JsonNode max = JSON.readTree(Cli.run("inspect", "noise", "--seed", "18446744073709551615", "--shape", "1,4,8,8").out());
        assertEquals("18446744073709551615", max.get("seed").toString());
        assertEquals(-2.664297580718994, max.get("draws").get(0).get("first").get(0).asDouble(), 1e-7);

        assertEquals(2, Cli.run("inspect", "noise", "--seed", "-5").code());
        assertEquals(2, Cli.run("inspect", "noise", "--seed", "1", "--shape", "1,0,4").code());
    }
}
