package io.seedgrid.jobs.report;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads a chart that {@link ScatterChart} wrote as a reader of the picture would: the axes from their tick marks
 * (each tick's value and the position of its line), each point's circle and whiskers, mapped back to values.
 * Nothing here uses the chart's own scale code.
 */
record SvgChart(List<double[]> xTicks, List<double[]> yTicks, boolean logX, Map<String, Mark> points, String frontPath) {

    /** One point's circle (centre, radius, fill) and whisker ends, in pixels; NaN where it has none. */
    record Mark(double cx, double cy, double r, String fill, double xLow, double xHigh, double yLow, double yHigh,
                boolean onFront, boolean faded) {
    }

    static SvgChart parse(String svg, boolean logX) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            List<double[]> xTicks = new ArrayList<>();
            List<double[]> yTicks = new ArrayList<>();
            NodeList groups = doc.getElementsByTagName("g");
            Map<String, Mark> points = new LinkedHashMap<>();
            for (int i = 0; i < groups.getLength(); i++) {
                Element g = (Element) groups.item(i);
                String cls = g.getAttribute("class");
                if (cls.equals("tick")) {
                    Element line = (Element) g.getElementsByTagName("line").item(0);
                    double value = Double.parseDouble(g.getAttribute("data-value"));
                    if (g.getAttribute("data-axis").equals("x")) {
                        xTicks.add(new double[] {value, Double.parseDouble(line.getAttribute("x1"))});
                    } else {
                        yTicks.add(new double[] {value, Double.parseDouble(line.getAttribute("y1"))});
                    }
                } else if (cls.startsWith("point")) {
                    Element c = (Element) g.getElementsByTagName("circle").item(0);
                    double xLow = Double.NaN;
                    double xHigh = Double.NaN;
                    double yLow = Double.NaN;
                    double yHigh = Double.NaN;
                    NodeList lines = g.getElementsByTagName("line");
                    for (int j = 0; j < lines.getLength(); j++) {
                        Element l = (Element) lines.item(j);
                        double x1 = Double.parseDouble(l.getAttribute("x1"));
                        double x2 = Double.parseDouble(l.getAttribute("x2"));
                        double y1 = Double.parseDouble(l.getAttribute("y1"));
                        double y2 = Double.parseDouble(l.getAttribute("y2"));
                        if (y1 == y2) {
                            xLow = Math.min(x1, x2);
                            xHigh = Math.max(x1, x2);
                        } else {
                            yLow = Math.max(y1, y2); // pixels grow downwards: the low value is the larger y
                            yHigh = Math.min(y1, y2);
                        }
                    }
                    points.put(g.getAttribute("data-name"), new Mark(Double.parseDouble(c.getAttribute("cx")),
                            Double.parseDouble(c.getAttribute("cy")), Double.parseDouble(c.getAttribute("r")),
                            c.getAttribute("fill"), xLow, xHigh, yLow, yHigh, cls.contains("on-front"),
                            cls.contains("faded")));
                }
            }
            NodeList paths = doc.getElementsByTagName("path");
            String front = null;
            for (int i = 0; i < paths.getLength(); i++) {
                Element p = (Element) paths.item(i);
                if (p.getAttribute("class").equals("front")) {
                    front = p.getAttribute("d");
                }
            }
            assertTrue(xTicks.size() >= 2 && yTicks.size() >= 2, "ticks on both axes");
            return new SvgChart(xTicks, yTicks, logX, points, front);
        } catch (Exception e) {
            throw new AssertionError("not a chart: " + e.getMessage(), e);
        }
    }

    /** The value at pixel {@code px} of an axis, from its first and last ticks (log10 between them for a log axis). */
    static double value(List<double[]> ticks, double px, boolean log) {
        double[] a = ticks.get(0);
        double[] b = ticks.get(ticks.size() - 1);
        double va = log ? Math.log10(a[0]) : a[0];
        double vb = log ? Math.log10(b[0]) : b[0];
        double v = va + (px - a[1]) / (b[1] - a[1]) * (vb - va);
        return log ? Math.pow(10, v) : v;
    }

    double x(double px) {
        return value(xTicks, px, logX);
    }

    double y(double px) {
        return value(yTicks, px, false);
    }

    /** Pixels are written to 0.01: a value is read back within what 0.02 px spans on its axis. */
    private double tolerance(List<double[]> ticks, boolean log, double at) {
        double[] a = ticks.get(0);
        double[] b = ticks.get(ticks.size() - 1);
        double perPx = log ? Math.abs(at * Math.log(10) * (Math.log10(b[0]) - Math.log10(a[0])) / (b[1] - a[1]))
                : Math.abs((b[0] - a[0]) / (b[1] - a[1]));
        return 0.02 * perPx;
    }

    void assertAt(Mark m, double x, double y, String what) {
        assertEquals(x, x(m.cx()), tolerance(xTicks, logX, x), what + ": x");
        assertEquals(y, y(m.cy()), tolerance(yTicks, false, y), what + ": y");
    }

    void assertWhiskers(Mark m, double xLow, double xHigh, double yLow, double yHigh, String what) {
        assertEquals(xLow, x(m.xLow()), tolerance(xTicks, logX, xLow), what + ": x low");
        assertEquals(xHigh, x(m.xHigh()), tolerance(xTicks, logX, xHigh), what + ": x high");
        assertEquals(yLow, y(m.yLow()), tolerance(yTicks, false, yLow), what + ": y low");
        assertEquals(yHigh, y(m.yHigh()), tolerance(yTicks, false, yHigh), what + ": y high");
    }
}
