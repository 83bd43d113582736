package io.seedgrid.jobs.report;

import io.seedgrid.jobs.cli.Main;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Tiny runs on the udf module's tiny SDXL and metric test models, and the command line run in-process. */
final class ReportFixtures {

    /** A prompt that would run a script and break out of quoted attributes if it were not escaped. */
    static final String HOSTILE_PROMPT = "<script>alert(1)</script>\"'&";
    static final String HOSTILE_PROMPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private ReportFixtures() {
    }

    static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }

    /** Copies the tiny metric models (the measure stage writes hash caches beside them, never into the source tree). */
    static Path copyMetricModels(Path target) {
        for (String name : new String[] {"lpips-tiny", "embed-tiny", "clip-tiny"}) {
            copyTree(repo().resolve("udf/src/test/resources/metrics/" + name), target.resolve(name));
        }
        return target;
    }

    /**
     * {@code prompts} × seeds 0, 1, 2^64 − 1 × recipes base (Euler 4 steps, CFG 5) and dmd2, 64×48, on the tiny
     * SDXL models; written to {@code <dir>/<run>.yaml}, output {@code <dir>/out}.
     *
     * @param prompts the prompts section's items (YAML, indented two spaces)
     * @param measure the measure section's body (indented two spaces), or empty
     */
    static RunConfig config(Path dir, String run, String prompts, String measure) {
        Path tiny = repo().resolve("udf/src/test/resources/tiny-sdxl");
        String yaml = """
                run: %s
                output: %s
                models:
                  base:
                    path: %s
                    device: cpu
                  dmd2:
                    path: %s
                    base: %s
                    device: cpu
                prompts:
                %s
                seeds: [0, 1, 18446744073709551615]
                width: 64
                height: 48
                recipes:
                  - name: base
                    kind: base
                    model: base
                    steps: 4
                    cfg: 5
                  - name: dmd2
                    kind: dmd2
                    model: dmd2
                %s
                """.formatted(run, dir.resolve("out"), tiny.resolve("fp32"), tiny.resolve("dmd2-unet-only"),
                tiny.resolve("fp32"), prompts, measure.isEmpty() ? "" : "measure:\n" + measure);
        try {
            Path file = dir.resolve(run + ".yaml");
            Files.writeString(file, yaml);
            return RunConfigParser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The measure section with all three tiny metric models under {@code models}. */
    static String allMetrics(Path models, String reference) {
        return """
                  lpips: %s
                  encoders: [%s]
                  clip: %s
                  reference_recipe: %s
                  bootstrap: 200
                """.formatted(models.resolve("lpips-tiny"), models.resolve("embed-tiny"), models.resolve("clip-tiny"),
                reference);
    }

    static void copyTree(Path source, Path target) {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().startsWith(".")) {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line run in-process: its exit code, what it printed (commands print to System.out) and its errors. */
    record Cli(int code, String out, String err) {
        static synchronized Cli run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            PrintStream stdout = System.out;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
            } finally {
                System.setOut(stdout);
            }
            return new Cli(code, out + printed.toString(StandardCharsets.UTF_8), err.toString());
        }
    }
}
