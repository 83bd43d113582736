package io.seedgrid.jobs.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart read back from its SVG: every point, whisker and the front where the data puts them. */
class ScatterChartTest {

    private static final ScatterChart.Spec SPEC = new ScatterChart.Spec("c", "a chart", "adherence", ScatterChart.Better.HIGHER,
            false, "diversity", "UNet evaluations per image");

    private static final List<ScatterChart.Dot> DOTS = List.of(
            new ScatterChart.Dot("teacher", 47.93, 43.78, 51.84, 0.3776, 0.2958, 0.4531, 40.0, true, false),
            new ScatterChart.Dot("student", 45.19, 40.95, 49.45, 0.3175, 0.2508, 0.3834, 4.0, false, false),
            new ScatterChart.Dot("dose", 45.52, 41.38, 49.32, 0.4570, 0.4041, 0.5108, 4.0, true, false),
            new ScatterChart.Dot("wild", 37.98, 34.25, 41.31, 0.5273, 0.4967, 0.5564, 4.0, true, false),
            new ScatterChart.Dot("early", 42.0, 30.0, 55.0, 0.5, 0.1, 0.9, 5.0, false, true),
            new ScatterChart.Dot("<b>&\"hybrid'", 47.11, 43.08, 50.98, 0.3980, 0.3316, 0.4620, 6.0, true, false));

    @Test
    void everyPointAndWhiskerIsWhereItsValuesAre() {
        String svg = ScatterChart.svg(SPEC, DOTS);
        SvgChart chart = SvgChart.parse(svg, false);
        assertEquals(DOTS.size(), chart.points().size());
        for (ScatterChart.Dot d : DOTS) {
            SvgChart.Mark m = chart.points().get(d.name());
            chart.assertAt(m, d.x(), d.y(), d.name());
            assertEquals(d.front(), m.onFront(), d.name());
            assertEquals(d.faded(), m.faded(), d.name());
            if (d.faded()) {
                assertTrue(Double.isNaN(m.xLow()) && Double.isNaN(m.yLow()), "a pale point has no whiskers");
            } else {
                chart.assertWhiskers(m, d.xLow(), d.xHigh(), d.yLow(), d.yHigh(), d.name());
            }
        }
        // the axes cover the whiskers of the points that have them, not the pale point's interval
        assertTrue(chart.y(SvgChart.value(chart.yTicks(), 0, false)) < 0.9);
        assertTrue(chart.xTicks().get(0)[0] <= 34.25 && chart.xTicks().get(chart.xTicks().size() - 1)[0] >= 51.84);
    }

    @Test
    void colourFollowsCostOnALogRampAndNamesAreEscaped() {
        String svg = ScatterChart.svg(SPEC, DOTS);
        SvgChart chart = SvgChart.parse(svg, false);
        assertEquals("#440154", chart.points().get("student").fill(), "the cheapest: the ramp's start");
        assertEquals("#fde725", chart.points().get("teacher").fill(), "the dearest: its end");
        // log scale: 6 is log(6/4)/log(10) = 0.176 of the way, between the ramp's first two stops
        assertEquals(ScatterChart.ramp(4, 40, 6), chart.points().get("<b>&\"hybrid'").fill());
        assertFalse(svg.contains("<b>&"), "names are escaped");
        assertTrue(svg.contains("&lt;b&gt;&amp;&quot;hybrid&#39;"));
        assertFalse(svg.contains("style="), "no style attribute: the report's policy allows none");
        assertFalse(svg.contains("http"), "no namespace or link inline");
    }

    /** The dashed front runs down and across through the points no other beats on both axes. */
    @Test
    void theFrontIsAStaircaseThroughTheUnbeatenPoints() {
        String svg = ScatterChart.svg(SPEC, DOTS);
        SvgChart chart = SvgChart.parse(svg, false);
        List<double[]> vertices = new ArrayList<>();
        Matcher m = Pattern.compile("([MVH])([0-9.]+)(?: ([0-9.]+))?").matcher(chart.frontPath());
        double x = Double.NaN;
        double y = Double.NaN;
        while (m.find()) {
            switch (m.group(1)) {
                case "M" -> {
                    x = Double.parseDouble(m.group(2));
                    y = Double.parseDouble(m.group(3));
                }
                case "V" -> y = Double.parseDouble(m.group(2));
                default -> {
                    x = Double.parseDouble(m.group(2));
                    vertices.add(new double[] {x, y});
                }
            }
            if (m.group(1).equals("M")) {
                vertices.add(new double[] {x, y});
            }
        }
        // by hand: wild (most diverse), dose, hybrid, teacher (most adherent); student is beaten by dose
        List<String> expected = List.of("wild", "dose", "<b>&\"hybrid'", "teacher");
        assertEquals(expected.size(), vertices.size(), chart.frontPath());
        for (int i = 0; i < expected.size(); i++) {
            SvgChart.Mark p = chart.points().get(expected.get(i));
            assertEquals(p.cx(), vertices.get(i)[0], 1e-9, expected.get(i));
            assertEquals(p.cy(), vertices.get(i)[1], 1e-9, expected.get(i));
        }
    }

    @Test
    void aLogAxisOfCostsReadsBackToo() {
        ScatterChart.Spec spec = new ScatterChart.Spec("k", "cost", "cost", ScatterChart.Better.LOWER, true, "diversity",
                "cost");
        List<ScatterChart.Dot> dots = List.of(
                new ScatterChart.Dot("a", 4, Double.NaN, Double.NaN, 0.5, 0.45, 0.55, 4.0, true, false),
                new ScatterChart.Dot("b", 7, Double.NaN, Double.NaN, 0.42, 0.4, 0.44, 7.0, false, false),
                new ScatterChart.Dot("c", 40, Double.NaN, Double.NaN, 0.6, 0.5, 0.7, 40.0, true, false));
        SvgChart chart = SvgChart.parse(ScatterChart.svg(spec, dots), true);
        for (ScatterChart.Dot d : dots) {
            chart.assertAt(chart.points().get(d.name()), d.x(), d.y(), d.name());
        }
        assertEquals(List.of(5.0, 10.0, 20.0), chart.xTicks().stream().map(t -> t[0]).toList());
    }

    @Test
    void nothingToDrawSaysSo() {
        assertTrue(ScatterChart.svg(SPEC, List.of()).contains("nothing measured yet"));
    }
}
