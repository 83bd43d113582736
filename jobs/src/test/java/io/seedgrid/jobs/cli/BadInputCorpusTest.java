package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input corpus: every input below is generated here (configs, prompt files in every format, model
 * folders with broken files, output folders, flags) and given to a command in-process. Each must exit 2
 * with one line naming the problem (no stack trace), within its timeout, before Spark starts, and leave
 * every file under this test's folder and the user's seedgrid cache as it was (no output, no hash cache, no
 * blend, no probe file).
 */
class BadInputCorpusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path root;
    private static String userHome;
    private static Path fp32;
    private static Path dmd2;
    private static Path metrics;
    private static Path out;
    private static String template;
    private static int cases;

    /** One input: what it is, the command line (made when the case runs) and the texts the message must hold. */
    private record Case(String name, Supplier<List<String>> args, String... says) {
    }

    @BeforeAll
    static void models() throws IOException {
        TestSpark.stop();
        // The user's cache folder (hash caches, blends) moves under the test's folder, so the listing sees it.
        userHome = System.getProperty("user.home");
        System.setProperty("user.home", Files.createDirectories(root.resolve("home")).toString());
        Path models = Files.createDirectories(root.resolve("models"));
        fp32 = models.resolve("fp32");
        dmd2 = models.resolve("dmd2");
        TinyGrid.copyTree(TinyGrid.tinyModel("fp32"), fp32);
        TinyGrid.copyTree(TinyGrid.tinyModel("dmd2-unet-only"), dmd2);
        metrics = TinyGrid.copyMetricModels(models.resolve("metrics"));
        out = root.resolve("out");
        template = """
                run: corpus
                output: %s
                models:
                  base: {path: %s, device: cpu}
                  dmd2: {path: %s, base: %s, device: cpu}
                prompts:
                  - a red cube on a blue floor
                  - prompt: a green sphere
                    id: sphere
                    negative_prompt: blurry
                seeds: [1, 2]
                width: 64
                height: 48
                batch_size: 2
                recipes:
                  - {name: base, kind: base, model: base, steps: 2, cfg: 5}
                  - {name: dmd2, kind: dmd2, model: dmd2}
                """.formatted(out, fp32, dmd2, fp32);
        // The template itself passes every check (so each case fails for its own mutation), and hashing its
        // models here leaves their hash caches in place before any case runs.
        Path valid = write(root.resolve("valid.yaml"), template);
        RunConfig config = RunConfigParser.parse(valid);
        OutputLocation.check(config);
        Preflight.check(config);
    }

    @AfterAll
    static void restore() throws IOException {
        System.setProperty("user.home", userHome);
        try (Stream<Path> paths = Files.walk(root)) {
            paths.forEach(p -> p.toFile().setWritable(true));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputExitsWithTwoAndOneLineAndWritesNothing() {
        List<Case> all = new ArrayList<>();
        all.addAll(configs());
        all.addAll(limits());
        all.addAll(promptFiles());
        all.addAll(modelFolders());
        all.addAll(outputs());
        all.addAll(render());
        all.addAll(inspectAndCompare());
        all.addAll(measure());
        all.addAll(flags());
        assertTrue(all.size() >= 120, "the corpus has " + all.size() + " inputs");
        return all.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) throws IOException {
        cases++;
        List<String> args = c.args().get();
        Map<String, String> before = listing();
        Cli run = assertTimeoutPreemptively(TIMEOUT, () -> Cli.run(args.toArray(String[]::new)), c.name());
        String err = run.err();
        assertEquals(2, run.code(), c.name() + ": " + args + " -> " + err + run.out());
        assertTrue(err.startsWith("seedgrid: error: ") && err.endsWith("\n") && err.indexOf('\n') == err.length() - 1,
                c.name() + ": not one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), c.name() + ": " + err);
        for (String says : c.says()) {
            assertTrue(err.contains(says), c.name() + ": expected '" + says + "' in: " + err);
        }
        System.out.println(c.name() + "\n    " + err.strip());
        assertEquals(before, listing(), c.name() + ": files changed");
        assertFalse(Files.exists(out), c.name() + ": the output folder was made");
        assertTrue(SparkSession.getDefaultSession().isEmpty(), c.name() + ": Spark started");
    }

    // ---- configs: YAML, keys, values, text encodings -------------------------------------------------

    private static List<Case> configs() {
        List<Case> list = new ArrayList<>();
        String[] stages = {"generate", "run", "measure", "report"};
        String[][] mutations = {
            {"width: 64", "width: abc", "expected a whole number, got 'abc'"},
            {"width: 64", "width: 65", "multiple of 8"},
            {"width: 64", "width: -64", "multiple of 8"},
            {"batch_size: 2", "batch_size: 0", "batch_size: must be at least 1"},
            {"batch_size: 2", "batch_size: 2\nchunk_size: -1", "chunk_size: must be at least 1"},
            {"batch_size: 2", "batch_size: 2\nmax_failed_share: 2", "must be in [0, 1]"},
            {"batch_size: 2", "batch_size: 2\ncolour: blue", "unknown key 'colour'"},
            {"batch_size: 2", "batch_size: 2\nwidth: 64", "key 'width' appears twice"},
            {"run: corpus", "run: ../evil", "a run name is"},
            {"run: corpus", "run: ''", "must not be empty"},
            {"id: sphere", "id: ../../etc", "prompt id '../../etc'"},
            {"{name: dmd2, kind: dmd2, model: dmd2}", "{name: base, kind: dmd2, model: dmd2}", "duplicate recipe name 'base'"},
            {"{name: dmd2, kind: dmd2, model: dmd2}", "{name: dmd2, kind: dmd2, model: sd15}", "unknown model 'sd15'"},
            {"kind: base, model: base, steps: 2", "kind: bass, model: base, steps: 2", "unknown recipe kind 'bass'"},
            {"steps: 2, cfg: 5", "steps: 2, cfg: 5, sampler: heun", "unknown sampler 'heun'"},
            {"seeds: [1, 2]", "seeds: []", "no seeds"},
            {"seeds: [1, 2]", "seeds: [1, 1]", "listed twice"},
            {"seeds: [1, 2]", "seeds: [-1]", "unsigned 64-bit"},
            {"seeds: [1, 2]", "seeds: {start: 18446744073709551615, count: 2}", "pass 2^64 - 1"},
            {"seeds: [1, 2]", "seeds: {start: 0, count: 0}", "seeds.count must be at least 1"},
            {"device: cpu}\n  dmd2", "device: tpu}\n  dmd2", "device is auto, cpu, cuda, cuda:N, tensorrt or tensorrt:N"},
            {"device: cpu}\n  dmd2", "device: cpu, precision: fp16}\n  dmd2", "declared fp16 but its UNet takes fp32"},
            {"output: " + "OUT", "output: s3://bucket/x", "use s3a://"},
            {"batch_size: 2", "batch_size: 2\nlong_prompt: wrap", "long_prompt"},
            {"batch_size: 2", "batch_size: 2\nspark: {master: 'bogus://x'}", "spark.master: Spark master 'bogus://x' is not a master URL"},
            {"batch_size: 2", "batch_size: 2\nspark: {master: 'local[0]'}", "is not a master URL"},
            {"batch_size: 2", "batch_size: 2\nspark: {partitions: -2}", "spark.partitions"},
            {"recipes:", "recipes: []\nx:", "unknown key 'x'"},
            {"prompts:\n  - a red cube on a blue floor\n  - prompt: a green sphere\n    id: sphere\n    negative_prompt: blurry\n",
                "prompts: []\n", "no prompts"},
            {"a red cube on a blue floor", "\"a red \\0 cube\"", "control character U+0000"},
            {"a red cube on a blue floor", "\"a red \\e[31m cube\"", "control character U+001B"},
            {"a red cube on a blue floor", "\"a red \\a cube\"", "control character U+0007"},
            {"negative_prompt: blurry", "negative_prompt: \"blurry\\x01\"", "the negative prompt holds the control character U+0001"},
            {"a red cube on a blue floor", "\"a red \\x85 cube\"", "control character U+0085"},
            {"batch_size: 2", "batch_size: 2\nnegative_prompt: \"\\x1b[2J\"", "negative_prompt: the negative prompt holds"},
            {"batch_size: 2", "batch_size: 2\nbase: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]", "not valid YAML"},
            {"run: corpus", "run: [corpus", "not valid YAML"},
            {"width: 64", "width: !!binary aGVsbG8=", "expected a whole number"},
        };
        for (int i = 0; i < mutations.length; i++) {
            String[] m = mutations[i];
            String stage = stages[i % stages.length];
            list.add(new Case("config " + m[1].replace('\n', ' ') + " (" + stage + ")",
                    () -> List.of(stage, config(m[0].replace("OUT", out.toString()), m[1])), m[2]));
        }
        list.add(new Case("config is not UTF-8 (generate)", () -> {
            byte[] yaml = template.replace("a red cube", "a red cube # caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
            return List.of("generate", bytes("latin1.yaml", yaml).toString());
        }, "not UTF-8 at byte " + (template.indexOf("a red cube") + "a red cube # caf".length()) + " (line 7): 0xe9"));
        list.add(new Case("config ends inside a UTF-8 sequence (run)", () -> {
            byte[] yaml = (template + "# \u20ac").getBytes(StandardCharsets.UTF_8);
            return List.of("run", bytes("cut.yaml", Arrays.copyOf(yaml, yaml.length - 1)).toString());
        }, "not UTF-8 at byte"));
        list.add(new Case("config of random bytes (measure)", () -> {
            byte[] random = new byte[4096];
            new Random(7).nextBytes(random);
            return List.of("measure", bytes("random.yaml", random).toString());
        }, "not UTF-8 at byte"));
        list.add(new Case("config is a directory (report)", () -> List.of("report", dir("a-folder.yaml").toString()),
                "is a directory, not a file"));
        list.add(new Case("config does not exist (generate)", () -> List.of("generate", caseDir().resolve("none.yaml").toString()),
                "no such file: "));
        list.add(new Case("config is empty (run)", () -> List.of("run", text("empty.yaml", "").toString()), "the config is empty"));
        list.add(new Case("config is a comment (measure)", () -> List.of("measure", text("comment.yaml", "# nothing\n").toString()),
                "the config is empty"));
        list.add(new Case("config is a list (report)", () -> List.of("report", text("list.yaml", "- a\n- b\n").toString()),
                "expected a mapping"));
        return list;
    }

    // ---- limits -----------------------------------------------------------------------------------------

    private static List<Case> limits() {
        List<Case> list = new ArrayList<>();
        String[][] mutations = {
            {"width: 64", "width: 1000000", "width: 1000000 pixels per side are over limits.image_side = 4096"},
            {"height: 48", "height: 100000", "height: 100000 pixels per side are over limits.image_side = 4096"},
            {"height: 48", "height: 4104", "height: 4104 pixels per side are over limits.image_side = 4096"},
            {"steps: 2, cfg: 5", "steps: 100000, cfg: 5", "100000 steps are over limits.steps = 150"},
            {"steps: 2, cfg: 5", "steps: 20, cfg: 5, denoise: 0.000001", "steps are over limits.steps = 150"},
            {"steps: 2, cfg: 5", "steps: 20, cfg: 5, denoise: 0.1", "200 steps are over limits.steps = 150"},
            {"seeds: [1, 2]", "seeds: {start: 0, count: 2000000000}",
                "the grid of 2 prompts x 2000000000 seeds x 2 recipes = 8000000000 cells is over limits.cells = 1000000"},
            {"seeds: [1, 2]", "seeds: {start: 0, count: 9223372036854775807}", "more than 2^63 cells"},
            {"seeds: [1, 2]", "seeds: {start: 0, count: 500001}", "over limits.cells = 1000000"},
            {"batch_size: 2", "batch_size: 2\nlimits: {config_chars: 999999999}", "limits.config_chars: can be at most 16777216"},
            {"batch_size: 2", "batch_size: 2\nlimits: {scalar_chars: 2000000}", "limits.scalar_chars: can be at most 1048576"},
            {"batch_size: 2", "batch_size: 2\nlimits: {steps: 0}", "a limit is a positive whole number"},
            {"batch_size: 2", "batch_size: 2\nlimits: {steps: many}", "expected a whole number, got 'many'"},
            {"batch_size: 2", "batch_size: 2\nlimits: {frames: 3}", "unknown key 'limits.frames'"},
            {"batch_size: 2", "batch_size: 2\nlimits: {steps: 1}", "2 steps are over limits.steps = 1"},
            {"batch_size: 2", "batch_size: 2\nlimits: {image_pixels: 3000}", "64 x 48 = 3072 pixels are over limits.image_pixels = 3000"},
            {"batch_size: 2", "batch_size: 2\nlimits: {cells: 7}", "= 8 cells is over limits.cells = 7"},
            {"batch_size: 2", "batch_size: 2\nlimits: {prompt_chars: 10}", "26 characters are over limits.prompt_chars = 10"},
            {"batch_size: 2", "batch_size: 2\nlimits: {config_chars: 100}", "characters, over limits.config_chars = 100"},
            {"batch_size: 2", "batch_size: 2\nlimits: {scalar_chars: 20}", "characters in one value are over limits.scalar_chars = 20"},
        };
        String[] stages = {"generate", "run", "measure", "report"};
        for (int i = 0; i < mutations.length; i++) {
            String[] m = mutations[i];
            String stage = stages[i % stages.length];
            list.add(new Case("limit " + m[1].replace('\n', ' ') + " (" + stage + ")", () -> List.of(stage, config(m[0], m[1])), m[2]));
        }
        list.add(new Case("4096 x 4096 image (generate)",
                () -> List.of("generate", config("width: 64", "width: 4096", "height: 48", "height: 4096")),
                "4096 x 4096 = 16777216 pixels are over limits.image_pixels = 4194304"));
        list.add(new Case("200 explicit timesteps (run)", () -> {
            StringBuilder steps = new StringBuilder();
            for (int t = 999; t > 799; t--) {
                steps.append(steps.length() == 0 ? "" : ", ").append(t);
            }
            return List.of("run", config("{name: dmd2, kind: dmd2, model: dmd2}",
                    "{name: dmd2, kind: dmd2, model: dmd2, timesteps: [" + steps + "]}"));
        }, "200 steps are over limits.steps = 150"));
        list.add(new Case("25,000-character prompt (measure)",
                () -> List.of("measure", config("a red cube on a blue floor", "x".repeat(25_000))),
                "25000 characters are over limits.prompt_chars = 20000"));
        list.add(new Case("25,000-character negative prompt (report)",
                () -> List.of("report", config("batch_size: 2", "batch_size: 2\nnegative_prompt: " + "n ".repeat(12_500).strip())),
                "the negative prompt: 24999 characters are over limits.prompt_chars = 20000"));
        list.add(new Case("70,000-character run name (generate)",
                () -> List.of("generate", config("run: corpus", "run: " + "r".repeat(70_000))),
                "70000 characters in one value are over limits.scalar_chars = 65536"));
        list.add(new Case("2 MB config of comments (run)",
                () -> List.of("run", config("batch_size: 2", "batch_size: 2\n" + "# a comment line\n".repeat(130_000))),
                "over limits.config_chars = 1048576"));
        list.add(new Case("50 MB scalar on one line (generate)", () -> {
            Path file = caseDir().resolve("huge.yaml");
            try (OutputStream o = Files.newOutputStream(file)) {
                o.write(("run: corpus\nprompts: [\"").getBytes(StandardCharsets.UTF_8));
                byte[] block = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 50; i++) {
                    o.write(block);
                }
                o.write("\"]\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of("generate", file.toString());
        }, "huge.yaml:2: the line is longer than 1048576 characters"));
        list.add(new Case("20 MB config (measure)", () -> {
            Path file = caseDir().resolve("long.yaml");
            try (OutputStream o = Files.newOutputStream(file)) {
                byte[] block = "# comment\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 20; i++) {
                    o.write(block);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of("measure", file.toString());
        }, "more than 16777216 characters, the most a config may hold"));
        return list;
    }

    // ---- prompt files in every format -------------------------------------------------------------------

    private static List<Case> promptFiles() {
        List<Case> list = new ArrayList<>();
        Object[][] files = {
            {"p.txt", "a red cube\na blue\u0000 square\n", "p.txt: line 2: the prompt holds the control character U+0000"},
            {"p.txt", "a red cube\n\u001b[31ma blue square\n", "line 2: the prompt holds the control character U+001B"},
            {"p.txt", "a red cube\na blue\u0007 square\n", "control character U+0007"},
            {"p.txt", "a red cube\n" + "y".repeat(25_000) + "\n", "p.txt: line 2: the prompt: 25000 characters are over"},
            {"p.txt", "\n\n   \n", "holds no prompts"},
            {"p.txt", new byte[] {'a', '\n', 'b', (byte) 0xc3, '(', '\n'}, "p.txt: not UTF-8 at byte 3 (line 2): 0xc3"},
            {"p.txt", new byte[] {'a', ' ', 'c', (byte) 0xe2, (byte) 0x82}, "p.txt: not UTF-8 at byte 3 (line 1): 0xe2"},
            {"p.txt", new byte[] {(byte) 0xff, (byte) 0xfe, 'a', 0, 'b', 0}, "not UTF-8 at byte 0 (line 1): 0xff"},
            {"p.jsonl", "{\"prompt\": \"a\\u0000b\"}\n", "p.jsonl: line 1: the prompt holds the control character U+0000"},
            {"p.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \"x\", \"negative_prompt\": \"\\u001b[2J\"}\n",
                "line 2: the negative prompt holds the control character U+001B"},
            {"p.jsonl", "{\"prompt\": \"a \\ud800 b\"}\n", "lone surrogate U+D800"},
            {"p.jsonl", "{\"prompt\": \"a\u0000b\"}\n", "p.jsonl: line 1: not a JSON object"},
            {"p.jsonl", "{\"text\": \"x\"}\n", "unknown field 'text'"},
            {"p.jsonl", "[\"x\"]\n", "expected a JSON object"},
            {"p.jsonl", "{\"prompt\": \"x\"\n", "line 1: not a JSON object"},
            {"p.jsonl", "{\"prompt\": \"x\", \"id\": \"../up\"}\n", "p.jsonl: line 1: prompt id '../up'"},
            {"p.jsonl", "{\"prompt\": \"\"}\n", "line 1: empty prompt"},
            {"p.jsonl", "{\"prompt\": \"" + "z".repeat(20_001) + "\"}\n", "20001 characters are over limits.prompt_chars"},
            {"p.jsonl", new byte[] {'{', '"', 'p', (byte) 0x80, '"', '}', '\n'}, "p.jsonl: not UTF-8 at byte 3 (line 1): 0x80"},
            {"p.csv", "id,prompt\nc1,a red\u0000cube\n", "p.csv: row 2 (line 2): the prompt holds the control character U+0000"},
            {"p.csv", "prompt\n\"a red cube\na blue square\n", "p.csv: row 2 (line 2): the quoted field opened on line 2 is not closed"},
            {"p.csv", "prompt,id\nok,1\n\"a \"\"quoted\"\" one\",2\n\"open,3\n", "row 4 (line 4): the quoted field"},
            {"p.csv", "prompt,id\na,1\nb\n", "p.csv: row 3 (line 3): 1 fields, the header has 2"},
            {"p.csv", "text\nabc\n", "row 1: the header row has no 'prompt' column"},
            {"p.csv", "prompt,colour\na,red\n", "unknown column 'colour'"},
            {"p.csv", "prompt,id\n\"\",1\n", "row 2 (line 2): empty prompt"},
            {"p.csv", "prompt,negative_prompt\n\"multi\nline\",\"x\u0001\"\n", "row 2 (line 2): the negative prompt holds"},
            {"p.csv", new byte[] {'p', 'r', 'o', 'm', 'p', 't', '\n', 'a', (byte) 0xfe, '\n'}, "p.csv: not UTF-8 at byte 8 (line 2)"},
            {"p.xlsx", "prompt\n", "expected .txt, .jsonl, .csv or .parquet"},
        };
        for (Object[] f : files) {
            String name = (String) f[0];
            list.add(new Case("prompt file " + name + " " + abbreviate(f[1]), () -> {
                Path file = f[1] instanceof byte[] b ? bytes(name, b) : text(name, (String) f[1]);
                return List.of("generate", promptConfig(file));
            }, (String) f[2]));
        }
        list.add(new Case("prompt file is a directory", () -> List.of("run", promptConfig(dir("prompts.txt"))),
                "is a directory, not a file"));
        list.add(new Case("prompt file does not exist", () -> List.of("measure", promptConfig(caseDir().resolve("no.txt"))),
                "prompt file: no such file: "));
        list.add(new Case("parquet of garbage bytes", () -> {
            byte[] random = new byte[2048];
            new Random(3).nextBytes(random);
            return List.of("generate", promptConfig(bytes("garbage.parquet", random)));
        }, "garbage.parquet is not a readable Parquet file"));
        list.add(new Case("parquet of 0 bytes", () -> List.of("report", promptConfig(bytes("empty.parquet", new byte[0]))),
                "empty.parquet is not a readable Parquet file"));
        list.add(new Case("parquet truncated", () -> {
            Path file = parquet("whole.parquet", "message p { required binary prompt (UTF8); }", g -> g.append("prompt", "a red cube"));
            try {
                byte[] bytes = Files.readAllBytes(file);
                return List.of("run", promptConfig(bytes("cut.parquet", Arrays.copyOf(bytes, bytes.length - 10))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "cut.parquet is not a readable Parquet file"));
        list.add(new Case("parquet with a NUL in a prompt", () -> List.of("generate", promptConfig(parquet("nul.parquet",
                "message p { required binary prompt (UTF8); }", g -> g.append("prompt", "a red\u0000cube")))),
                "nul.parquet: row 1: the prompt holds the control character U+0000"));
        list.add(new Case("parquet without a prompt column", () -> List.of("generate", promptConfig(parquet("noprompt.parquet",
                "message p { required binary text (UTF8); }", g -> g.append("text", "a red cube")))),
                "no 'prompt' column"));
        list.add(new Case("parquet with an integer prompt column", () -> List.of("generate", promptConfig(parquet("int.parquet",
                "message p { required int64 prompt; }", g -> g.append("prompt", 42L)))),
                "int.parquet: row 1: column 'prompt' holds"));
        list.add(new Case("parquet prompt that is not UTF-8", () -> List.of("generate", promptConfig(parquet("latin.parquet",
                "message p { required binary prompt (UTF8); }",
                g -> g.append("prompt", Binary.fromConstantByteArray(new byte[] {'c', 'a', 'f', (byte) 0xe9}))))),
                "latin.parquet: row 1: column 'prompt' is not UTF-8 text"));
        list.add(new Case("parquet with a 25,000-character prompt", () -> List.of("generate", promptConfig(parquet("long.parquet",
                "message p { required binary prompt (UTF8); }", g -> g.append("prompt", "w".repeat(25_000))))),
                "long.parquet: row 1: the prompt: 25000 characters"));
        return list;
    }

    // ---- model folders with broken files ----------------------------------------------------------------

    private static List<Case> modelFolders() {
        List<Case> list = new ArrayList<>();
        String[][] broken = {
            {"unet/model.onnx", "truncated", "generate", "unet/model.onnx is not a valid ONNX protobuf file"},
            {"unet/model.onnx", "random", "run", "unet/model.onnx"},
            {"unet/model.onnx", "empty", "generate", "unet/model.onnx holds 0 bytes"},
            {"unet/model.onnx", "png", "run", "unet/model.onnx"},
            {"text_encoder/model.onnx", "truncated", "generate", "text_encoder/model.onnx is not a valid ONNX protobuf file"},
            {"text_encoder_2/model.onnx", "random", "run", "text_encoder_2/model.onnx"},
            {"vae_decoder/model.onnx", "empty", "generate", "vae_decoder/model.onnx holds 0 bytes"},
            {"vae_decoder/model.onnx", "one byte short", "run", "vae_decoder/model.onnx is not a valid ONNX protobuf file"},
            {"unet/model.onnx", "directory", "generate", "unet/model.onnx"},
            {"unet/model.onnx", "missing", "run", "is incomplete, missing: "},
            {"tokenizer/vocab.json", "random", "generate", "vocab.json"},
            {"tokenizer_2/merges.txt", "text:#version: 0.2\na\n", "run", "merges.txt"},
            {"scheduler/scheduler_config.json", "text:{\"beta_start\": ", "generate", "scheduler_config.json"},
            {"scheduler/scheduler_config.json", "text:{\"num_train_timesteps\": 1}", "run", "scheduler_config.json"},
            {"unet/config.json", "text:{sample_size", "generate", "unet/config.json is not valid JSON"},
            {"vae_decoder/config.json", "text:[1, 2", "run", "vae_decoder/config.json is not valid JSON"},
            {"tokenizer", "missing", "generate", "is incomplete, missing: "},
        };
        for (String[] b : broken) {
            list.add(new Case("model " + b[0] + " " + b[1] + " (" + b[2] + ")", () -> {
                Path model = brokenModel("fp32", b[0], b[1]);
                return List.of(b[2], config(fp32.toString() + ", device", model + ", device"));
            }, b[3]));
        }
        list.add(new Case("external data missing (generate)", () -> {
            Path model = brokenModel("external-data", "unet/model.onnx_data", "missing");
            return List.of("generate", config(fp32.toString() + ", device", model + ", device"));
        }, "model.onnx_data: external data of tensor"));
        list.add(new Case("external data short (run)", () -> {
            Path model = brokenModel("external-data", "unet/model.onnx_data", "one byte short");
            return List.of("run", config(fp32.toString() + ", device", model + ", device"));
        }, "model.onnx_data, which holds"));
        list.add(new Case("model folder does not exist (generate)",
                () -> List.of("generate", config(fp32.toString() + ", device", caseDir().resolve("gone") + ", device")),
                "no such file or directory: "));
        list.add(new Case("model folder is a file (run)",
                () -> List.of("run", config(fp32.toString() + ", device", text("model-file", "x") + ", device")),
                "is a file, not a model directory"));
        list.add(new Case("model whose widths do not fit SDXL (generate)", () -> {
            Path model = caseDir().resolve("broken-signature");
            TinyGrid.copyTree(TinyGrid.tinyModel("broken-signature"), model);
            return List.of("generate", config(fp32.toString() + ", device", model + ", device"));
        }, "does not fit the SDXL signature"));
        list.add(new Case("UNet-only model with a broken seedgrid-export.json (run)", () -> {
            Path model = caseDir().resolve("student");
            TinyGrid.copyTree(dmd2, model);
            text("student/seedgrid-export.json", "{\"base\": ");
            return List.of("run", config("{path: " + dmd2 + ", base: " + fp32 + ",", "{path: " + model + ","));
        }, "seedgrid-export.json is not valid JSON"));
        list.add(new Case("blend of the UNet with a broken copy (generate)", () -> {
            Path model = brokenModel("dmd2-unet-only", "unet/model.onnx", "truncated");
            return List.of("generate", config("{path: " + dmd2 + ",", "{path: " + model + ",",
                    "{name: dmd2, kind: dmd2, model: dmd2}", "{name: blend, kind: blend, a: base, b: dmd2, alpha: 0.5}"));
        }, "model 'dmd2'"));
        return list;
    }

    // ---- output locations and masters -------------------------------------------------------------------

    private static List<Case> outputs() {
        List<Case> list = new ArrayList<>();
        String[] stages = {"generate", "run", "measure", "report"};
        for (String stage : stages) {
            list.add(new Case("output is a file (" + stage + ")",
                    () -> List.of(stage, config("output: " + out, "output: " + text("a-file", "x"))),
                    "is a file, not a folder"));
            list.add(new Case("--master bogus://x (" + stage + ")",
                    () -> List.of(stage, "--master", "bogus://x", config("width: 64", "width: 64")),
                    "Spark master 'bogus://x' is not a master URL"));
        }
        list.add(new Case("output below a file (generate)",
                () -> List.of("generate", config("output: " + out, "output: " + text("plain", "x").resolve("sub"))),
                "is a file, not a folder"));
        list.add(new Case("run folder is a file (run)", () -> {
            Path output = dir("outputs");
            text("outputs/corpus", "not a folder");
            return List.of("run", config("output: " + out, "output: " + output));
        }, "corpus is a file, not a folder"));
        list.add(new Case("output not writable (generate)", () -> {
            Path readOnly = readOnlyFolder();
            return List.of("generate", config("output: " + out, "output: " + readOnly.resolve("out")));
        }, "cannot write in "));
        list.add(new Case("--master spark://host without a port (measure)",
                () -> List.of("measure", "--master", "spark://head", config("width: 64", "width: 64")), "is not a master URL"));
        list.add(new Case("--master local[x] (report)",
                () -> List.of("report", "--master", "local[x]", config("width: 64", "width: 64")), "is not a master URL"));
        list.add(new Case("--master LOCAL (generate)",
                () -> List.of("generate", "--master", "LOCAL", config("width: 64", "width: 64")), "is not a master URL"));
        return list;
    }

    // ---- render -----------------------------------------------------------------------------------------

    private static List<Case> render() {
        List<Case> list = new ArrayList<>();
        String[][] options = {
            {"--width", "1000000", "1000000 pixels per side are over limits.image_side = 4096"},
            {"--height", "100000", "100000 pixels per side are over limits.image_side"},
            {"--steps", "100000", "--steps: 100000 steps are over limits.steps = 150"},
            {"--prompt", "a \u001b[2J cube", "--prompt: the prompt holds the control character U+001B"},
            {"--prompt", "x".repeat(25_000), "--prompt: the prompt: 25000 characters are over"},
            {"--negative", "bad\u0000", "--negative: the negative prompt holds the control character U+0000"},
            {"--width", "abc", "Invalid value for option '--width'"},
            {"--width", "63", "--width must be a positive multiple of 8"},
            {"--seed", "-1", "unsigned 64-bit"},
            {"--recipe", "bass", "unknown --recipe 'bass'"},
            {"--sampler", "heun", "unknown sampler 'heun'"},
            {"--cfg", "-1", "--cfg must be a non-negative number"},
            {"--long-prompt", "wrap", "wrap"},
            {"--recipe", "blend", "--recipe blend needs --student"},
            {"--timesteps", "999,999", "strictly decreasing"},
            {"--bogus", "1", "Unknown option"},
        };
        for (String[] o : options) {
            list.add(new Case("render " + o[0] + " " + abbreviate(o[1]), () -> {
                List<String> args = new ArrayList<>(List.of("render", "--model", fp32.toString(),
                        "--out", caseDir().resolve("x.png").toString()));
                if (!o[0].equals("--prompt")) {
                    args.addAll(List.of("--prompt", "a cube"));
                }
                if (!o[0].equals("--seed")) {
                    args.addAll(List.of("--seed", "1"));
                }
                args.addAll(List.of(o[0], o[1]));
                return args;
            }, o[2]));
        }
        list.add(new Case("render --width 4096 --height 4096", () -> renderArgs(fp32, "--width", "4096", "--height", "4096"),
                "4096 x 4096 = 16777216 pixels are over limits.image_pixels"));
        list.add(new Case("render 200 timesteps", () -> {
            StringBuilder steps = new StringBuilder();
            for (int t = 999; t > 799; t--) {
                steps.append(steps.length() == 0 ? "" : ",").append(t);
            }
            return renderArgs(fp32, "--timesteps", steps.toString());
        }, "200 steps are over limits.steps"));
        list.add(new Case("render a truncated UNet", () -> renderArgs(brokenModel("fp32", "unet/model.onnx", "truncated")),
                "unet/model.onnx is not a valid ONNX protobuf file"));
        list.add(new Case("render an empty VAE", () -> renderArgs(brokenModel("fp32", "vae_decoder/model.onnx", "empty")),
                "vae_decoder/model.onnx holds 0 bytes"));
        list.add(new Case("render a model without its external data",
                () -> renderArgs(brokenModel("external-data", "unet/model.onnx_data", "missing")), "external data of tensor"));
        list.add(new Case("render a missing model", () -> renderArgs(caseDir().resolve("none")), "--model: no such file or directory: "));
        list.add(new Case("render a model that is a file", () -> renderArgs(text("m", "x")), "--model: "));
        list.add(new Case("render a student that is missing", () -> renderArgs(fp32, "--recipe", "hybrid", "--student",
                caseDir().resolve("none").toString()), "--student: no such file or directory: "));
        list.add(new Case("render --out in a missing folder", () -> List.of("render", "--model", fp32.toString(), "--prompt", "a",
                "--seed", "1", "--out", caseDir().resolve("no/x.png").toString()), "--out: no such directory: "));
        list.add(new Case("render --out is a folder", () -> List.of("render", "--model", fp32.toString(), "--prompt", "a",
                "--seed", "1", "--out", dir("x.png").toString()), "is a directory; name a .png file"));
        return list;
    }

    private static List<String> renderArgs(Path model, String... more) {
        List<String> args = new ArrayList<>(List.of("render", "--model", model.toString(), "--prompt", "a cube", "--seed", "1",
                "--out", caseDir().resolve("x.png").toString()));
        args.addAll(List.of(more));
        return args;
    }

    // ---- inspect and compare ----------------------------------------------------------------------------

    private static List<Case> inspectAndCompare() {
        List<Case> list = new ArrayList<>();
        list.add(new Case("inspect model: truncated UNet", () -> List.of("inspect", "model",
                brokenModel("fp32", "unet/model.onnx", "truncated").toString()), "unet/model.onnx is not a valid ONNX protobuf file"));
        list.add(new Case("inspect model: random text encoder", () -> List.of("inspect", "model",
                brokenModel("fp32", "text_encoder/model.onnx", "random").toString()), "text_encoder/model.onnx"));
        list.add(new Case("inspect model: empty VAE", () -> List.of("inspect", "model",
                brokenModel("fp32", "vae_decoder/model.onnx", "empty").toString()), "holds 0 bytes"));
        list.add(new Case("inspect model: external data missing", () -> List.of("inspect", "model",
                brokenModel("external-data", "unet/model.onnx_data", "missing").toString()), "external data of tensor"));
        list.add(new Case("inspect model: missing folder", () -> List.of("inspect", "model", caseDir().resolve("none").toString()),
                "no such file or directory: "));
        list.add(new Case("inspect tokens: missing tokenizer", () -> List.of("inspect", "tokens", "--tokenizer",
                caseDir().resolve("none").toString(), "a cat"), "--tokenizer: no such file or directory: "));
        list.add(new Case("inspect schedule: 100000 steps", () -> List.of("inspect", "schedule", "--sampler", "euler", "--steps",
                "100000"), "100000 steps are over limits.steps"));
        list.add(new Case("inspect schedule: missing model", () -> List.of("inspect", "schedule", "--sampler", "euler", "--steps",
                "4", "--model", caseDir().resolve("none").toString()), "--model: no such file or directory: "));
        list.add(new Case("inspect schedule: unknown sampler", () -> List.of("inspect", "schedule", "--sampler", "heun", "--steps",
                "4"), "unknown sampler 'heun'"));
        list.add(new Case("inspect noise: huge shape", () -> List.of("inspect", "noise", "--seed", "1", "--shape",
                "100000,100000,100000,100000"), "has more than 67108864 elements"));
        list.add(new Case("inspect noise: 0 draws", () -> List.of("inspect", "noise", "--seed", "1", "--draws", "0"),
                "--draws must be at least 1"));
        list.add(new Case("inspect noise: endless draws", () -> List.of("inspect", "noise", "--seed", "1", "--draws", "2000000000"),
                "draw more than"));
        String a = TinyGrid.metricFixture("images/a.png").toString();
        list.add(new Case("compare: missing A", () -> List.of("compare", caseDir().resolve("none.png").toString(), a),
                "no such file: "));
        list.add(new Case("compare: B is a folder", () -> List.of("compare", a, dir("b.png").toString()),
                "b.png is a directory, not a file"));
        list.add(new Case("compare: A is not an image", () -> List.of("compare", text("a.png", "not a png").toString(), a),
                "a.png: cannot decode image"));
        list.add(new Case("compare: missing LPIPS model", () -> List.of("compare", a, a, "--lpips",
                caseDir().resolve("none").toString()), "--lpips: no such file or directory: "));
        list.add(new Case("compare: truncated LPIPS model", () -> List.of("compare", a, a, "--lpips",
                brokenMetric("lpips-tiny", "model.onnx", "truncated").toString()), "model.onnx is not a valid ONNX protobuf file"));
        list.add(new Case("compare: --clip without --prompt", () -> List.of("compare", a, a, "--clip",
                metrics.resolve("clip-tiny").toString()), "--clip and --prompt go together"));
        return list;
    }

    // ---- metric models (measure, run) -------------------------------------------------------------------

    private static List<Case> measure() {
        List<Case> list = new ArrayList<>();
        Object[][] broken = {
            {"lpips", "lpips-tiny", "model.onnx", "truncated", "measure", "measure.lpips (", "not a valid ONNX protobuf file"},
            {"lpips", "lpips-tiny", "model.onnx", "empty", "run", "measure.lpips (", "holds 0 bytes"},
            {"encoders", "embed-tiny", "model.onnx", "random", "measure", "measure.encoders (", "model.onnx"},
            {"clip", "clip-tiny", "text/model.onnx", "empty", "run", "measure.clip (", "holds 0 bytes"},
            {"clip", "clip-tiny", "image/model.onnx", "truncated", "measure", "measure.clip (", "not a valid ONNX protobuf"},
            {"lpips", "lpips-tiny", "seedgrid-metric.json", "text:{\"type\": ", "run", "measure.lpips (", "is not valid JSON"},
            {"lpips", "embed-tiny", "seedgrid-metric.json", "unchanged", "measure", "measure.lpips", "not an LPIPS one"},
        };
        for (Object[] b : broken) {
            list.add(new Case("metric " + b[0] + " " + b[2] + " " + b[3] + " (" + b[4] + ")", () -> {
                Path model = brokenMetric((String) b[1], (String) b[2], (String) b[3]);
                String value = b[0].equals("encoders") ? "[" + model + "]" : model.toString();
                return List.of((String) b[4], config("batch_size: 2", "batch_size: 2\nmeasure: {" + b[0] + ": " + value + "}"));
            }, (String) b[5], (String) b[6]));
        }
        list.add(new Case("metric folder missing (measure)", () -> List.of("measure", config("batch_size: 2",
                "batch_size: 2\nmeasure: {lpips: " + caseDir().resolve("none") + "}")), "measure.lpips: no such file or directory"));
        list.add(new Case("metric reference recipe unknown (run)", () -> List.of("run", config("batch_size: 2",
                "batch_size: 2\nmeasure: {reference_recipe: nope}")), "no recipe named 'nope'"));
        list.add(new Case("metric bootstrap too small (measure)", () -> List.of("measure", config("batch_size: 2",
                "batch_size: 2\nmeasure: {bootstrap: 10}")), "use at least 100 bootstrap resamples"));
        return list;
    }

    // ---- flags ------------------------------------------------------------------------------------------

    private static List<Case> flags() {
        List<Case> list = new ArrayList<>();
        list.add(new Case("generate --unknown", () -> List.of("generate", "--unknown", config("width: 64", "width: 64")),
                "Unknown option: '--unknown'"));
        list.add(new Case("run without a config", () -> List.of("run"), "Missing required parameter: 'CONFIG'"));
        list.add(new Case("measure with two configs", () -> List.of("measure", "a.yaml", "b.yaml"), "Unmatched argument"));
        list.add(new Case("an unknown command", () -> List.of("sample"), "Unmatched argument"));
        list.add(new Case("report --max-prompts abc", () -> List.of("report", "--max-prompts", "abc", "x.yaml"),
                "Invalid value for option '--max-prompts'"));
        list.add(new Case("report --thumbnail 0", () -> List.of("report", "--thumbnail", "0", config("width: 64", "width: 64")),
                "thumbnail"));
        return list;
    }

    // ---- making the inputs ------------------------------------------------------------------------------

    /** A fresh folder for the case being set up. */
    private static Path caseDir() {
        try {
            return Files.createDirectories(root.resolve("cases").resolve(Integer.toString(cases)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template with each pair of (old, new) replaced, written as a config; fails when an old text is absent. */
    private static String config(String... replacements) {
        String yaml = template;
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(yaml.contains(replacements[i]), "the template has no '" + replacements[i] + "'");
            yaml = yaml.replace(replacements[i], replacements[i + 1]);
        }
        return write(caseDir().resolve("run.yaml"), yaml).toString();
    }

    /** A config whose prompts come from {@code file}. */
    private static String promptConfig(Path file) {
        return config("""
                  - a red cube on a blue floor
                  - prompt: a green sphere
                    id: sphere
                    negative_prompt: blurry
                """, "  file: " + file + "\n");
    }

    private static Path text(String name, String content) {
        return bytes(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static Path bytes(String name, byte[] content) {
        try {
            Path file = caseDir().resolve(name);
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path dir(String name) {
        try {
            return Files.createDirectories(caseDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, String yaml) {
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path parquet(String name, String schema, Consumer<Group> row) {
        Path file = caseDir().resolve(name);
        MessageType type = MessageTypeParser.parseMessageType(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withType(type).build()) {
            Group group = new SimpleGroupFactory(type).newGroup();
            row.accept(group);
            writer.write(group);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A copy of a tiny SDXL variant with one file broken: truncated, random, empty, a PNG, a directory, missing or text. */
    private static Path brokenModel(String variant, String file, String how) {
        Path model = caseDir().resolve(variant);
        TinyGrid.copyTree(variant.equals("fp32") ? fp32 : TinyGrid.tinyModel(variant), model);
        breakFile(model.resolve(file), how);
        return model;
    }

    /** A copy of a metric model fixture with one file broken. */
    private static Path brokenMetric(String name, String file, String how) {
        Path model = caseDir().resolve(name);
        TinyGrid.copyTree(metrics.resolve(name), model);
        breakFile(model.resolve(file), how);
        return model;
    }

    private static void breakFile(Path file, String how) {
        try {
            if (how.equals("unchanged")) {
                return;
            }
            if (how.equals("missing") || how.equals("directory")) {
                if (Files.isDirectory(file)) {
                    try (Stream<Path> paths = Files.walk(file)) {
                        paths.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
                    }
                } else {
                    Files.delete(file);
                }
                if (how.equals("directory")) {
                    Files.createDirectories(file);
                }
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            byte[] broken = switch (how) {
                case "truncated" -> Arrays.copyOf(bytes, bytes.length / 2);
                case "one byte short" -> Arrays.copyOf(bytes, bytes.length - 1);
                case "empty" -> new byte[0];
                case "png" -> Files.readAllBytes(TinyGrid.metricFixture("images/a.png"));
                case "random" -> {
                    byte[] random = new byte[Math.max(64, bytes.length)];
                    new Random(file.toString().hashCode()).nextBytes(random);
                    yield random;
                }
                default -> how.substring("text:".length()).getBytes(StandardCharsets.UTF_8);
            };
            Files.write(file, broken);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A folder this process cannot write in: a folder without write permission, or, for root (whom
     * permissions do not stop), /sys, where creating a file is refused to anyone.
     */
    private static Path readOnlyFolder() {
        Path folder = dir("read-only");
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
            Path probe = folder.resolve("probe");
            Files.createFile(probe);
            Files.delete(probe);
            return Path.of("/sys");
        } catch (IOException refused) {
            return folder;
        }
    }

    /**
     * Every file and folder under the test's folder (which holds the user's home during the test) and under
     * {@code $XDG_CACHE_HOME/seedgrid} when that is set: path, size and modification time.
     */
    private static Map<String, String> listing() throws IOException {
        Map<String, String> files = new TreeMap<>();
        String xdg = System.getenv("XDG_CACHE_HOME");
        List<Path> tops = xdg == null || xdg.isBlank() ? List.of(root) : List.of(root, Path.of(xdg, "seedgrid"));
        for (Path top : tops) {
            if (!Files.exists(top)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(top)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    files.put(p.toString(), Files.isDirectory(p) ? "folder"
                            : Files.size(p) + " bytes, " + Files.getLastModifiedTime(p));
                }
            }
        }
        return files;
    }

    private static String abbreviate(Object value) {
        String text = value instanceof byte[] b ? b.length + " bytes" : (String) value;
        String escaped = BadInput.escape(text, true);
        return escaped.length() > 40 ? escaped.substring(0, 40) + "..." : escaped;
    }
}
