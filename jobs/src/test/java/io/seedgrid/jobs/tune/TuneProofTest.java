package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proof of {@code seedgrid tune} on the embedded toy family: {@code conf/tune-demo.yaml} against the exhaustive
 * grid over the same space ({@code tune/tune-demo-exhaustive.json}, made once by
 * {@code tools/reference/tune/make_exhaustive_front.sh} with the ordinary {@code seedgrid run} and a front computed
 * apart from seedgrid's code). Every point of the exhaustive front has a candidate on the tune's front at equal or
 * lower cost whose diversity and adherence reach the lower ends of the point's 95% intervals (or beyond), and the
 * tune rendered at most a third of the grid's images.
 */
class TuneProofTest {

    @Test
    void theTuneCoversTheExhaustiveFrontWithAThirdOfTheImages(@TempDir Path dir) throws IOException {
        JsonNode grid;
        try (InputStream in = TuneProofTest.class.getResourceAsStream("/tune/tune-demo-exhaustive.json")) {
            grid = new ObjectMapper().readTree(in);
        }
        TuneConfig tune = TuneConfigParser.parse(TinyGrid.repo().resolve("conf/tune-demo.yaml"))
                .withOutput(dir.resolve("runs").toString());
        Set<String> names = new TreeSet<>();
        grid.get("recipes").forEach(r -> names.add(r.get("name").asText()));
        assertEquals(new TreeSet<>(tune.candidates().stream().map(Candidate::name).toList()), names,
                "the fixture is the grid of this config's space");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TuneJob.Summary summary = TuneJob.run(tune, Preflight.check(TuneJob.gridConfig(tune, null, null)),
                TestSpark.session(), new PrintStream(log, true, StandardCharsets.UTF_8), GenerateJob.Options.defaults());
        TuneResult result = summary.result();
        System.out.println(summary.report());

        long gridImages = grid.get("images").asLong();
        assertEquals(result.gridImages(), gridImages);
        System.out.printf(Locale.ROOT, "TuneProofTest: the tune rendered %d images, the exhaustive grid %d (%.1f%%)%n",
                result.imagesUsed(), gridImages, 100.0 * result.imagesUsed() / gridImages);
        assertTrue(3 * result.imagesUsed() <= gridImages, result.imagesUsed() + " images is more than a third of "
                + gridImages);

        List<TuneResult.Entry> front = result.entries().stream().filter(TuneResult.Entry::onFront).toList();
        List<String> uncovered = new ArrayList<>();
        for (JsonNode point : grid.get("recipes")) {
            if (!point.get("on_front").asBoolean()) {
                continue;
            }
            String name = point.get("name").asText();
            int cost = point.get("unet_evaluations").asInt();
            double diversityLow = point.get("diversity").get("low").asDouble();
            double adherenceLow = point.get("adherence").get("low").asDouble();
            TuneResult.Entry by = front.stream().filter(t -> t.unetEvaluations() <= cost
                    && t.diversity().estimate() >= diversityLow && t.adherence().estimate() >= adherenceLow)
                    .findFirst().orElse(null);
            System.out.printf(Locale.ROOT, "TuneProofTest: exhaustive front %-30s (cost %2d, diversity >= %.4f, adherence"
                    + " >= %.2f): %s%n", name, cost, diversityLow, adherenceLow, by == null ? "NOT COVERED"
                    : String.format(Locale.ROOT, "covered by %s (cost %d, diversity %.4f, adherence %.2f)", by.name(),
                    by.unetEvaluations(), by.diversity().estimate(), by.adherence().estimate()));
            if (by == null) {
                uncovered.add(name);
            }
        }
        assertEquals(List.of(), uncovered, "exhaustive front points without a tune candidate within their intervals");

        // the tune and the grid measure the same images the same way: the whole pool's values agree
        for (TuneResult.Entry e : result.entries()) {
            if (e.prompts() != grid.get("prompts").asInt() || e.seeds() != grid.get("seeds").asInt()) {
                continue;
            }
            for (JsonNode point : grid.get("recipes")) {
                if (point.get("name").asText().equals(e.name())) {
                    assertEquals(point.get("diversity").get("mean").asDouble(), e.diversity().estimate(), 1e-6, e.name());
                    assertEquals(point.get("adherence").get("mean").asDouble(), e.adherence().estimate(), 1e-4, e.name());
                    assertEquals(point.get("unet_evaluations").asInt(), e.unetEvaluations(), e.name());
                }
            }
        }
    }
}
