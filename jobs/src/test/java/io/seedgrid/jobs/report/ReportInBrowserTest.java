package io.seedgrid.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.jobs.testing.Cli;
import io.seedgrid.jobs.testing.HeadlessChromium;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.tune.TuneConfigParser;
import io.seedgrid.jobs.tune.TuneFixtures;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tune run's report opened in headless Chromium at 1400 × 900 CSS pixels, as a user on a laptop screen sees it:
 * the policy lets the stylesheet in and nothing runs, the recipe and candidate tables fit the screen with their
 * headline columns, every chart's points are painted in their colours where the chart's geometry puts them
 * (screenshot and DOM), and a hostile prompt is shown as text.
 */
class ReportInBrowserTest {

    private static final int WIDTH = 1400;
    private static final String HOSTILE = "<img src=x onerror=alert(1)> & \"quotes\"";

    @Test
    void theTuneReportRendersItsChartsAndFitsTheScreen(@TempDir Path dir) throws Exception {
        String why = HeadlessChromium.unavailable();
        if (why != null) {
            System.out.println("ReportInBrowserTest skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        TestSpark.session();
        Path config = TuneFixtures.config(dir, "browser", "[a red cube, a green sphere, a blue cone, \"" + HOSTILE
                .replace("\"", "\\\"") + "\"]");
        Cli tune = Cli.run("tune", config.toString());
        assertEquals(0, tune.code(), tune.out() + tune.err());
        Path report = Path.of(TuneConfigParser.parse(config).directory(), "report.html");
        assertTrue(Files.exists(report));

        try (HeadlessChromium browser = HeadlessChromium.start(dir.resolve("chromium"), WIDTH, 900)) {
            browser.open(report);
            assertEquals(0, browser.evaluate("document.scripts.length").asInt(), "no script element");
            assertEquals("1680px", browser.evaluate("getComputedStyle(document.body).maxWidth").asText(),
                    "the stylesheet applies: the policy let its hash in");
            assertTrue(browser.evaluate("document.documentElement.scrollWidth").asInt() <= WIDTH, "no sideways scroll");

            // the tables fit: every header cell of the recipe table (headline metrics; the others are folded) and of
            // the candidates table
            for (String table : List.of("table.recipes:not(.all)", "table.tune")) {
                JsonNode right = browser.evaluate("Math.max(...[...document.querySelectorAll('" + table
                        + " th')].map(th => th.getBoundingClientRect().right))");
                assertTrue(right.asDouble() > 0 && right.asDouble() <= WIDTH, table + " ends at " + right);
            }
            JsonNode headline = browser.evaluate("[...document.querySelectorAll('table.recipes:not(.all) th[data-metric]')]"
                    + ".map(th => th.dataset.metric)");
            assertEquals("clip_score_mean", headline.get(headline.size() - 1).asText(), "the CLIP score is on screen");

            for (String chart : List.of("chart-front", "chart-cost-diversity", "chart-cost-adherence")) {
                checkChart(browser, chart);
            }

            JsonNode prompts = browser.evaluate("[...document.querySelectorAll('p.text')].map(p => p.textContent)");
            List<String> texts = new ArrayList<>();
            prompts.forEach(p -> texts.add(p.asText()));
            assertTrue(texts.contains(HOSTILE), texts.toString());
            assertEquals(0, browser.evaluate("document.querySelectorAll('[onerror], img[src=x]').length").asInt());
        }
    }

    /** Scrolls {@code id} into view and checks its points on a screenshot. */
    private static void checkChart(HeadlessChromium browser, String id) throws Exception {
        browser.evaluate("document.getElementById('" + id + "').scrollIntoView({block: 'start'})");
        JsonNode box = browser.evaluate("(() => { const r = document.getElementById('" + id + "').getBoundingClientRect();"
                + " return [r.left, r.top, r.width, r.height]; })()");
        assertTrue(box.get(2).asDouble() > 400 && box.get(0).asDouble() >= 0
                && box.get(0).asDouble() + box.get(2).asDouble() <= WIDTH, id + " on screen: " + box);
        JsonNode points = browser.evaluate("[...document.querySelectorAll('#" + id + " g.point:not(.faded) circle')]"
                + ".map(c => { const r = c.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;"
                + " const hit = document.elementFromPoint(x, y);"
                + " return {name: c.parentNode.dataset.name, x: x, y: y, own: hit === c,"
                + " hitFill: hit && hit.tagName === 'circle' ? hit.getAttribute('fill') : null}; })");
        assertTrue(points.size() >= 2, id + ": " + points);
        RgbImage shot = PngFile.decode(browser.screenshot());
        byte[] rgb = shot.rgb();
        int own = 0;
        for (JsonNode p : points) {
            String fill = p.path("hitFill").asText(null);
            assertTrue(fill != null, id + ": no circle painted at " + p);
            int x = (int) Math.round(p.get("x").asDouble());
            int y = (int) Math.round(p.get("y").asDouble());
            int at = 3 * (y * shot.width() + x);
            int[] expected = {Integer.parseInt(fill.substring(1, 3), 16), Integer.parseInt(fill.substring(3, 5), 16),
                    Integer.parseInt(fill.substring(5, 7), 16)};
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], rgb[at + c] & 0xff, 3, id + " " + p.get("name") + " channel " + c);
            }
            own += p.get("own").asBoolean() ? 1 : 0;
        }
        assertTrue(own >= 2, id + ": points where their own circle is on top: " + own);
    }
}
