package io.seedgrid.jobs.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A scatter chart as inline SVG (no script, no style attribute: presentation attributes only, which a
 * Content-Security-Policy without {@code 'unsafe-inline'} allows): one dot per recipe with its interval as
 * whiskers on both axes, filled by its cost on a colour ramp (log scale), the two-objective front of the dots
 * drawn as a dashed staircase, and the dots on the three-objective front (the two axes and cost) outlined and
 * named. Pale dots (measured at a lower fidelity) have no whiskers and no part in the staircase. Axes carry their ticks as {@code <g class="tick" data-axis="x" data-value="v">} with the tick's line at
 * the value's position, so a reader (or a test) can map any position back to a value.
 */
public final class ScatterChart {

    /** How an axis reads. */
    public enum Better { HIGHER, LOWER }

    /**
     * One dot.
     *
     * @param name   the recipe (escaped where shown)
     * @param x      the x value; {@code xLow}/{@code xHigh} its interval, or NaN for none
     * @param y      the y value; {@code yLow}/{@code yHigh} its interval, or NaN for none
     * @param cost   its cost (colour), or null for grey
     * @param front  on the three-objective front: outlined and named
     * @param faded  drawn pale (a candidate measured at a lower fidelity)
     */
    public record Dot(String name, double x, double xLow, double xHigh, double y, double yLow, double yHigh, Double cost,
                      boolean front, boolean faded) {
    }

    /**
     * @param id        the element id (letters, digits, '-')
     * @param title     the chart's accessible title
     * @param xLabel    x axis label
     * @param xBetter   which way x is better (for the drawn front)
     * @param logX      a log-scale x axis (costs)
     * @param yLabel    y axis label
     * @param costLabel the colour legend's label
     */
    public record Spec(String id, String title, String xLabel, Better xBetter, boolean logX, String yLabel,
                       String costLabel) {
    }

    static final int WIDTH = 720;
    static final int HEIGHT = 440;
    static final double LEFT = 72;
    static final double RIGHT = 560;
    static final double TOP = 24;
    static final double BOTTOM = 384;
    /** The colour ramp (viridis at 0, .25, .5, .75, 1), readable on light and dark backgrounds. */
    private static final int[][] RAMP = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

    private ScatterChart() {
    }

    /** The chart as an {@code <svg>} element. */
    public static String svg(Spec spec, List<Dot> dots) {
        StringBuilder out = new StringBuilder();
        out.append("<svg class=\"chart\" id=\"").append(Html.escape(spec.id())).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" font-family=\"system-ui, sans-serif\"")
                .append(" font-size=\"12\" fill=\"currentColor\">\n<title>").append(Html.escape(spec.title())).append("</title>\n");
        if (dots.isEmpty()) {
            out.append("<text x=\"").append(WIDTH / 2).append("\" y=\"").append(HEIGHT / 2)
                    .append("\" text-anchor=\"middle\">nothing measured yet</text>\n</svg>");
            return out.toString();
        }
        // pale dots are drawn without whiskers: their wide intervals would squeeze the axes
        Scale x = Scale.of(spec.logX(), dots.stream().flatMap(d -> d.faded() ? finite(d.x()).stream()
                : finite(d.x(), d.xLow(), d.xHigh()).stream()).toList(), LEFT, RIGHT);
        Scale y = Scale.of(false, dots.stream().flatMap(d -> d.faded() ? finite(d.y()).stream()
                : finite(d.y(), d.yLow(), d.yHigh()).stream()).toList(), BOTTOM, TOP);
        List<Double> costs = dots.stream().map(Dot::cost).filter(c -> c != null && c > 0).toList();
        double cMin = costs.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double cMax = costs.stream().mapToDouble(Double::doubleValue).max().orElse(1);

        // axes: ticks with grid lines, labels
        out.append("<g class=\"axes\" stroke=\"#8888\">\n");
        for (double v : x.ticks()) {
            double px = x.px(v);
            out.append("<g class=\"tick\" data-axis=\"x\" data-value=\"").append(num(v)).append("\"><line x1=\"")
                    .append(px(px)).append("\" y1=\"").append(px(TOP)).append("\" x2=\"").append(px(px)).append("\" y2=\"")
                    .append(px(BOTTOM)).append("\"/><text x=\"").append(px(px)).append("\" y=\"").append(px(BOTTOM + 16))
                    .append("\" text-anchor=\"middle\" stroke=\"none\">").append(label(v)).append("</text></g>\n");
        }
        for (double v : y.ticks()) {
            double py = y.px(v);
            out.append("<g class=\"tick\" data-axis=\"y\" data-value=\"").append(num(v)).append("\"><line x1=\"")
                    .append(px(LEFT)).append("\" y1=\"").append(px(py)).append("\" x2=\"").append(px(RIGHT)).append("\" y2=\"")
                    .append(px(py)).append("\"/><text x=\"").append(px(LEFT - 6)).append("\" y=\"").append(px(py + 4))
                    .append("\" text-anchor=\"end\" stroke=\"none\">").append(label(v)).append("</text></g>\n");
        }
        out.append("<rect x=\"").append(px(LEFT)).append("\" y=\"").append(px(TOP)).append("\" width=\"")
                .append(px(RIGHT - LEFT)).append("\" height=\"").append(px(BOTTOM - TOP)).append("\" fill=\"none\"/>\n</g>\n");
        out.append("<text class=\"axis-label\" x=\"").append(px((LEFT + RIGHT) / 2)).append("\" y=\"").append(HEIGHT - 14)
                .append("\" text-anchor=\"middle\">").append(Html.escape(spec.xLabel())).append("</text>\n");
        out.append("<text class=\"axis-label\" transform=\"translate(16 ").append(px((TOP + BOTTOM) / 2))
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.escape(spec.yLabel())).append("</text>\n");

        // the two-objective front of the dots: the edge of what they reach, a dashed staircase from the best y to
        // the best x
        List<Dot> front2 = front2d(dots.stream().filter(d -> !d.faded()).toList(), spec.xBetter());
        if (front2.size() > 1) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < front2.size(); i++) {
                double px = x.px(front2.get(i).x());
                double py = y.px(front2.get(i).y());
                path.append(i == 0 ? "M" + px(px) + " " + px(py) : " V" + px(py) + " H" + px(px));
            }
            out.append("<path class=\"front\" d=\"").append(path).append("\" fill=\"none\" stroke=\"#d9480f\"")
                    .append(" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n");
        }

        // dots: faded first, the front last (on top)
        List<Dot> order = new ArrayList<>(dots);
        order.sort(Comparator.comparing((Dot d) -> !d.faded()).thenComparing(Dot::front));
        for (Dot d : order) {
            double cx = x.px(d.x());
            double cy = y.px(d.y());
            String colour = d.cost() == null || !(d.cost() > 0) ? "#9e9e9e" : ramp(cMin, cMax, d.cost());
            out.append("<g class=\"point").append(d.front() ? " on-front" : "").append(d.faded() ? " faded" : "")
                    .append("\" data-name=\"").append(Html.escape(d.name())).append("\"")
                    .append(d.faded() ? " opacity=\"0.45\"" : "").append(">");
            if (!d.faded() && Double.isFinite(d.xLow()) && Double.isFinite(d.xHigh())) {
                out.append("<line class=\"whisker\" x1=\"").append(px(x.px(d.xLow()))).append("\" y1=\"").append(px(cy))
                        .append("\" x2=\"").append(px(x.px(d.xHigh()))).append("\" y2=\"").append(px(cy))
                        .append("\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\"/>");
            }
            if (!d.faded() && Double.isFinite(d.yLow()) && Double.isFinite(d.yHigh())) {
                out.append("<line class=\"whisker\" x1=\"").append(px(cx)).append("\" y1=\"").append(px(y.px(d.yLow())))
                        .append("\" x2=\"").append(px(cx)).append("\" y2=\"").append(px(y.px(d.yHigh())))
                        .append("\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\"/>");
            }
            out.append("<circle cx=\"").append(px(cx)).append("\" cy=\"").append(px(cy)).append("\" r=\"")
                    .append(d.front() ? 7 : 5).append("\" fill=\"").append(colour).append('"')
                    .append(d.front() ? " stroke=\"#d9480f\" stroke-width=\"2.5\"" : " stroke=\"#fff\" stroke-width=\"1\"")
                    .append("><title>").append(Html.escape(d.name())).append(": ").append(Html.escape(spec.yLabel()))
                    .append(' ').append(ReportNumbers.interval(d.y(), nan(d.yLow()), nan(d.yHigh()))).append("; ")
                    .append(Html.escape(spec.xLabel())).append(' ')
                    .append(ReportNumbers.interval(d.x(), nan(d.xLow()), nan(d.xHigh())))
                    .append(d.cost() == null ? "" : "; " + Html.escape(spec.costLabel()) + " " + ReportNumbers.format(d.cost()))
                    .append("</title></circle>");
            if (d.front()) {
                boolean left = cx > RIGHT - 120;
                out.append("<text class=\"name\" x=\"").append(px(cx + (left ? -10 : 10))).append("\" y=\"").append(px(cy - 9))
                        .append("\" text-anchor=\"").append(left ? "end" : "start").append("\" font-size=\"11\">")
                        .append(Html.escape(d.name())).append("</text>");
            }
            out.append("</g>\n");
        }

        // the colour legend: the ramp with the lowest, middle and highest cost
        out.append("<g class=\"legend\">");
        List<String> words = wrap(spec.costLabel(), 22);
        for (int i = 0; i < words.size(); i++) {
            out.append("<text x=\"").append(px(RIGHT + 24)).append("\" y=\"").append(px(TOP + 10 + 15 * i)).append("\">")
                    .append(Html.escape(words.get(i))).append("</text>");
        }
        int steps = 5;
        for (int i = 0; i < steps; i++) {
            double t = i / (double) (steps - 1);
            double cost = costs.isEmpty() ? Double.NaN : Math.exp(Math.log(cMin) + t * (Math.log(cMax) - Math.log(cMin)));
            double py = TOP + 12 + 15 * words.size() + i * 26;
            out.append("<rect x=\"").append(px(RIGHT + 24)).append("\" y=\"").append(px(py)).append("\" width=\"18\"")
                    .append(" height=\"18\" fill=\"").append(costs.isEmpty() ? "#9e9e9e" : ramp(cMin, cMax, cost))
                    .append("\"/><text x=\"").append(px(RIGHT + 48)).append("\" y=\"").append(px(py + 13)).append("\">")
                    .append(costs.isEmpty() ? "–" : short3(cost)).append("</text>");
        }
        double ly = TOP + 12 + 15 * words.size() + steps * 26 + 16;
        out.append("<circle cx=\"").append(px(RIGHT + 33)).append("\" cy=\"").append(px(ly)).append("\" r=\"7\" fill=\"none\"")
                .append(" stroke=\"#d9480f\" stroke-width=\"2.5\"/><text x=\"").append(px(RIGHT + 48)).append("\" y=\"")
                .append(px(ly + 4)).append("\">on the front</text>");
        out.append("<line x1=\"").append(px(RIGHT + 24)).append("\" y1=\"").append(px(ly + 24)).append("\" x2=\"")
                .append(px(RIGHT + 42)).append("\" y2=\"").append(px(ly + 24)).append("\" stroke=\"#d9480f\" stroke-width=\"1.5\"")
                .append(" stroke-dasharray=\"5 4\"/><text x=\"").append(px(RIGHT + 48)).append("\" y=\"").append(px(ly + 28))
                .append("\">best of both axes</text></g>\n</svg>");
        return out.toString();
    }

    /**
     * {@code svg} as an SVG file of its own (an image for a README): with the SVG namespace, which an inline
     * {@code <svg>} of an HTML document does without, and black text on white.
     */
    public static String standalone(String svg) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.replaceFirst("<svg ",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" style=\"background:#fff;color:#1d1d1f\" ") + "\n";
    }

    /** The dots no other dot beats on both axes, ordered from the best y to the best x. */
    static List<Dot> front2d(List<Dot> dots, Better xBetter) {
        double sign = xBetter == Better.HIGHER ? 1 : -1;
        List<Dot> front = new ArrayList<>();
        for (Dot d : dots) {
            boolean dominated = false;
            for (Dot o : dots) {
                boolean noWorse = sign * o.x() >= sign * d.x() && o.y() >= d.y();
                if (o != d && noWorse && (sign * o.x() > sign * d.x() || o.y() > d.y())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(d);
            }
        }
        front.sort(Comparator.comparingDouble((Dot d) -> -d.y()).thenComparingDouble(d -> sign * d.x()));
        return front;
    }

    /** The ramp's colour of {@code cost} between {@code min} and {@code max} on a log scale. */
    static String ramp(double min, double max, double cost) {
        double t = max > min ? (Math.log(cost) - Math.log(min)) / (Math.log(max) - Math.log(min)) : 0.5;
        t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
        int i = Math.min((int) Math.floor(t), RAMP.length - 2);
        double f = t - i;
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = (int) Math.round(RAMP[i][c] + f * (RAMP[i + 1][c] - RAMP[i][c]));
        }
        return String.format(Locale.ROOT, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    }

    /** Three significant digits at most, no trailing zeros: 4, 7.11, 12.6, 40. */
    static String short3(double v) {
        return label(Double.parseDouble(String.format(Locale.ROOT, "%.3g", v)));
    }

    /** {@code text} in lines of at most about {@code width} characters, broken at spaces. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static List<Double> finite(double... values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            if (Double.isFinite(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static Double nan(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.10g", v);
    }

    private static String label(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** A linear or log axis from data values onto pixels, with "nice" ticks (1, 2 or 5 times a power of ten). */
    record Scale(boolean log, double min, double max, double from, double to, double step) {

        static Scale of(boolean log, List<Double> values, double from, double to) {
            List<Double> v = log ? values.stream().filter(d -> d > 0).map(Math::log10).toList() : values;
            double lo = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double hi = v.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            if (hi - lo < 1e-12) {
                double pad = log ? 0.5 : Math.max(Math.abs(lo) * 0.1, 1e-3);
                lo -= pad;
                hi += pad;
            }
            double step = log ? Math.max(1, Math.ceil((hi - lo) / 6)) : nice((hi - lo) / 5);
            // a margin of a twentieth of the range on each side, then out to whole steps for linear axes
            double margin = (hi - lo) / 20;
            double min = log ? lo - margin : Math.floor((lo - margin) / step) * step;
            double max = log ? hi + margin : Math.ceil((hi + margin) / step) * step;
            return new Scale(log, min, max, from, to, step);
        }

        static double nice(double raw) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / magnitude;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
        }

        double px(double value) {
            double v = log ? Math.log10(value) : value;
            return from + (v - min) / (max - min) * (to - from);
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            if (log) {
                for (double e = Math.floor(min); e <= Math.ceil(max); e++) {
                    for (double m : new double[] {1, 2, 5}) {
                        double v = m * Math.pow(10, e);
                        double l = Math.log10(v);
                        if (l >= min - 1e-9 && l <= max + 1e-9) {
                            out.add(v);
                        }
                    }
                }
                return out;
            }
            for (double v = min; v <= max + step * 1e-6; v += step) {
                out.add(Math.abs(v) < step * 1e-9 ? 0 : Math.round(v / step) * step);
            }
            return out;
        }
    }
}
