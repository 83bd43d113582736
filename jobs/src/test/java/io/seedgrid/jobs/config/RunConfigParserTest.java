package io.seedgrid.jobs.config;

import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.RecipeSpec;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigParserTest {

    private static final String VALID = """
            run: demo
            output: out
            models:
              base: models/base
              dmd2:
                path: models/dmd2
                device: cpu
            prompts:
              - a red circle
              - prompt: a blue square
                id: square
                negative_prompt: blurry
            negative_prompt: low quality
            seeds: {start: 10, count: 3}
            width: 64
            height: 64
            recipes:
              - {name: base, kind: base, model: base, steps: 20, cfg: 5, sampler: dpmpp_2m, scheduler: karras}
              - {name: dmd2, kind: dmd2, model: dmd2}
              - {name: hybrid, kind: hybrid, base: base, student: dmd2, base_steps: 1, base_cfg: 5}
              - {name: skip, kind: skip-first, model: dmd2}
              - {name: blend-0.5, kind: blend, a: base, b: dmd2, alpha: 0.5}
              - {name: cads, kind: cads, model: base, noise_scale: 0.1}
              - {name: interval, kind: interval-cfg, model: base, sigma_low: 0.3, sigma_high: 5}
              - name: phases
                kind: hybrid
                timesteps: [999, 749, 499, 249]
                phases:
                  - {model: base, from: 0, to: 2, sampler: euler, cfg: 5}
                  - {model: dmd2, from: 2, to: 4, sampler: lcm}
            batch_size: 4
            chunk_size: 32
            measure:
              reference_recipe: base
            """;

    private static Path write(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static ConfigException error(Path dir, String yaml) throws Exception {
        Path file = write(dir, yaml);
        return assertThrows(ConfigException.class, () -> RunConfigParser.parse(file));
    }

    @Test
    void readsEveryKindOfRecipeAndResolvesPathsAgainstTheConfigFolder(@TempDir Path dir) throws Exception {
        RunConfig config = RunConfigParser.parse(write(dir, VALID));
        assertEquals("demo", config.run());
        assertEquals(dir.resolve("out").toString(), config.output());
        assertEquals(dir.resolve("models/base").toString(), config.models().get("base").path());
        assertEquals("auto", config.models().get("base").device());
        assertEquals("cpu", config.models().get("dmd2").device());
        assertEquals(2, config.prompts().size());
        assertEquals("low quality", config.prompts().get(0).negativePrompt());
        assertEquals("blurry", config.prompts().get(1).negativePrompt());
        assertEquals("square", config.prompts().get(1).id());
        assertTrue(config.prompts().get(0).id().matches("p-[0-9a-f]{16}"));
        assertEquals(3, config.seeds().size());
        assertEquals(12, config.seeds().get(2));
        assertEquals(8, config.recipes().size());
        assertEquals(2 * 3 * 8, config.gridSize());
        RecipeSpec base = config.recipe("base");
        assertEquals("dpmpp_2m", base.phases().get(0).sampler());
        assertEquals("karras", base.timeline().scheduler());
        assertEquals(1, config.recipe("skip").startStep());
        assertEquals(new ModelRef.Blend("base", "dmd2", 0.5), config.recipe("blend-0.5").phases().get(0).model());
        assertEquals(0.1, config.recipe("cads").phases().get(0).cads().noiseScale());
        assertEquals(2, config.recipe("phases").phases().size());
        assertEquals("base", config.measure().referenceRecipe());
        assertEquals(4, config.batchSize());
    }

    @Test
    void theIdentityHashIgnoresGrowingPromptsAndSeedsButNotRecipes(@TempDir Path dir) throws Exception {
        String hash = RunConfigParser.parse(write(dir, VALID)).identityHash();
        assertEquals(hash, RunConfigParser.parse(write(dir, VALID.replace("count: 3", "count: 30")
                .replace("  - a red circle", "  - a red circle\n  - a green star"))).identityHash());
        assertEquals(hash, RunConfigParser.parse(write(dir, VALID.replace("batch_size: 4", "batch_size: 1"))).identityHash());
        assertNotEquals(hash, RunConfigParser.parse(write(dir, VALID.replace("alpha: 0.5", "alpha: 0.25"))).identityHash());
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine(@TempDir Path dir) throws Exception {
        ConfigException e = error(dir, VALID.replace("batch_size: 4", "batch_sise: 4"));
        assertTrue(e.getMessage().contains("unknown key 'batch_sise'"), e.getMessage());
        int line = VALID.substring(0, VALID.indexOf("batch_size: 4")).split("\n", -1).length;
        assertTrue(e.getMessage().contains("run.yaml:" + line + ":"), e.getMessage());
        ConfigException nested = error(dir, VALID.replace("device: cpu", "device: cpu\n    gpus: 1"));
        assertTrue(nested.getMessage().contains("unknown key 'models.dmd2.gpus'"), nested.getMessage());
        ConfigException inRecipe = error(dir, VALID.replace("kind: dmd2, model: dmd2}", "kind: dmd2, model: dmd2, cfg: 3}"));
        assertTrue(inRecipe.getMessage().contains("recipes[1].cfg"), inRecipe.getMessage());
    }

    @Test
    void badValuesAreRefusedWithTheirKey(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"width: 64", "width: 60", "multiple of 8"},
            {"{name: dmd2, kind: dmd2, model: dmd2}", "{name: base, kind: dmd2, model: dmd2}", "duplicate recipe name 'base'"},
            {"a: base, b: dmd2, alpha: 0.5", "a: base, b: dmd2, alpha: half", "expected a number, got 'half'"},
            {"{name: dmd2, kind: dmd2, model: dmd2}", "{name: dmd2, kind: dmd2, model: sd15}", "unknown model 'sd15'"},
            {"kind: cads, model: base", "kind: cad, model: base", "unknown recipe kind 'cad'"},
            {"sampler: dpmpp_2m", "sampler: heun", "unknown sampler 'heun'"},
            {"seeds: {start: 10, count: 3}", "seeds: [1, 2, 1]", "listed twice"},
            {"seeds: {start: 10, count: 3}", "seeds: [-4]", "unsigned 64-bit"},
            {"reference_recipe: base", "reference_recipe: nope", "no recipe named 'nope'"},
            {"- {model: dmd2, from: 2, to: 4, sampler: lcm}", "- {model: dmd2, from: 3, to: 4, sampler: lcm}", "gap"},
            {"- {model: dmd2, from: 2, to: 4, sampler: lcm}", "- {model: dmd2, from: 1, to: 4, sampler: lcm}", "overlap"},
            {"output: out", "output: s3://bucket/x", "use s3a://"},
            {"device: cpu", "device: tpu", "device is auto, cpu, cuda, cuda:N"},
            {"run: demo", "run: ../evil", "a run name is"},
        };
        for (String[] c : cases) {
            assertTrue(VALID.contains(c[0]), c[0]);
            ConfigException e = error(dir, VALID.replace(c[0], c[1]));
            assertTrue(e.getMessage().contains(c[2]), c[1] + " -> " + e.getMessage());
        }
        assertTrue(error(dir, "run: x\n").getMessage().contains("missing required key 'output'"));
        assertTrue(error(dir, "run: [x\n").getMessage().contains("not valid YAML"));
        assertTrue(error(dir, VALID.replace("  - a red circle\n  - prompt: a blue square\n    id: square\n    negative_prompt: blurry\n",
                "  []\n").replace("prompts:\n  []", "prompts: []")).getMessage().contains("no prompts"));
    }

    @Test
    void promptsComeFromTextJsonlCsvAndParquetFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.txt"), "a red circle\n\n  a blue square  \n");
        Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"a red circle\", \"id\": \"c1\"}\n{\"prompt\": \"x\", \"negative_prompt\": \"y\"}\n");
        Files.writeString(dir.resolve("p.csv"), "id,prompt,negative_prompt\nc1,\"a red, round circle\",\nc2,\"a \"\"quoted\"\" square\",blurry\n");
        MessageType schema = MessageTypeParser.parseMessageType(
                "message p { required binary prompt (UTF8); optional binary id (UTF8); }");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(dir.resolve("p.parquet").toUri()))
                .withType(schema).build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            writer.write(groups.newGroup().append("prompt", "a red circle").append("id", "r"));
            writer.write(groups.newGroup().append("prompt", "a blue square"));
        }
        assertEquals(List.of("a red circle", "a blue square"), prompts(dir, "p.txt"));
        List<PromptEntry> jsonl = PromptSources.read(dir.resolve("p.jsonl"), Limits.DEFAULTS);
        assertEquals("c1", jsonl.get(0).id());
        assertEquals("y", jsonl.get(1).negativePrompt());
        List<PromptEntry> csv = PromptSources.read(dir.resolve("p.csv"), Limits.DEFAULTS);
        assertEquals("a red, round circle", csv.get(0).prompt());
        assertEquals("a \"quoted\" square", csv.get(1).prompt());
        assertEquals("blurry", csv.get(1).negativePrompt());
        List<PromptEntry> parquet = PromptSources.read(dir.resolve("p.parquet"), Limits.DEFAULTS);
        assertEquals("r", parquet.get(0).id());
        assertEquals("a blue square", parquet.get(1).prompt());

        Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertTrue(assertThrows(ConfigException.class, () -> PromptSources.read(dir.resolve("empty.txt"), Limits.DEFAULTS))
                .getMessage().contains("holds no prompts"));
        Files.writeString(dir.resolve("bad.jsonl"), "{\"text\": \"x\"}\n");
        assertTrue(assertThrows(ConfigException.class, () -> PromptSources.read(dir.resolve("bad.jsonl"), Limits.DEFAULTS))
                .getMessage().contains("unknown field 'text'"));
        Path run = write(dir, VALID.replace("""
                  - a red circle
                  - prompt: a blue square
                    id: square
                    negative_prompt: blurry
                """, "  file: p.csv\n"));
        assertEquals(2, RunConfigParser.parse(run).prompts().size());
    }

    /**
     * SnakeYAML checks its code point limit between tokens and scans one token in time quadratic in its length:
     * a config holding one 50 MB scalar is stopped by the reader after about 1 Mi characters, not read whole.
     */
    @Test
    void aFiftyMegabyteScalarIsStoppedEarly() {
        byte[] head = "run: \"".getBytes(StandardCharsets.UTF_8);
        long size = 50L << 20;
        long[] read = {0};
        InputStream scalar = new InputStream() {
            @Override
            public int read() {
                return read(new byte[1], 0, 1) < 0 ? -1 : 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (read[0] >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - read[0]);
                for (int i = 0; i < n; i++) {
                    b[off + i] = read[0] + i < head.length ? head[(int) (read[0] + i)] : (byte) 'x';
                }
                read[0] += n;
                return n;
            }
        };
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigNode.parse(scalar, "huge.yaml"));
        assertEquals("huge.yaml:1: the line is longer than 1048576 characters, the most a config line may hold (put long"
                + " prompts in a prompt file)", e.getMessage());
        assertTrue(read[0] < (1L << 20) + (64 << 10), "read " + read[0] + " of " + size + " bytes");
    }

    private static List<String> prompts(Path dir, String file) {
        return PromptSources.read(dir.resolve(file), Limits.DEFAULTS).stream().map(PromptEntry::prompt).toList();
    }
}
