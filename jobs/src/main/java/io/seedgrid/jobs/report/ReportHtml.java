package io.seedgrid.jobs.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.html}: one self-contained HTML document (inline stylesheet, thumbnails as
 * {@code data:} URIs, no script, nothing fetched). Its Content-Security-Policy forbids scripts, plugins,
 * frames, forms and every remote load, and allows only the one stylesheet it carries (by its SHA-256)
 * and {@code data:} images, so that even a mistake in escaping could not run code or call home. Every
 * string from the run's data goes through {@link Html#escape}.
 */
final class ReportHtml {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    /** Longer messages are cut in the failed-cells table (the full text is in images/). */
    private static final int MAX_MESSAGE = 1000;
    private static final int HASH_PREFIX = 12;

    private ReportHtml() {
    }

    /** Writes the document for {@code data} to {@code out}; returns the number of thumbnails embedded. */
    static int write(ReportData data, Writer out) {
        Doc doc = new Doc(out);
        String css = stylesheet(data);
        ReportData.Facts f = data.facts();
        doc.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; ")
                .raw("object-src 'none'; frame-src 'none'; img-src data:; style-src '").raw(sha256(css))
                .raw("'; base-uri 'none'; form-action 'none'\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<meta name=\"generator\" content=\"").text(f.reportVersion()).raw("\">\n")
                .raw("<title>seedgrid report: ").text(f.run()).raw("</title>\n<style>").raw(css).raw("</style>\n</head>\n<body>\n")
                .raw("<header><h1>seedgrid report: ").text(f.run()).raw("</h1>\n<p class=\"muted\">")
                .text(f.runDir()).raw(" · made ").text(time(f.generatedAt())).raw("</p>\n")
                .raw("<nav><a href=\"#run\">Run</a><a href=\"#front\">Front</a><a href=\"#recipes\">Recipes</a>")
                .raw(data.tune() != null ? "<a href=\"#tune\">Tune</a>" : "").raw("<a href=\"#prompts\">Contact sheets</a>")
                .raw("<a href=\"#failed\">Failed cells (").raw(Long.toString(data.failedTotal())).raw(")</a></nav>\n</header>\n");
        run(doc, data);
        front(doc, data);
        recipes(doc, data);
        if (data.tune() != null) {
            tune(doc, data.tune());
        }
        int thumbnails = sheets(doc, data);
        failed(doc, data);
        doc.raw("<footer class=\"muted\">Made by ").text(f.reportVersion()).raw(" from images/, groups/ and recipes/ of ")
                .text(f.runDir()).raw(". Everything shown is in those Parquet datasets.</footer>\n</body>\n</html>\n");
        doc.flush();
        return thumbnails;
    }

    private static void run(Doc doc, ReportData data) {
        ReportData.Facts f = data.facts();
        doc.raw("<section id=\"run\">\n<h2>Run</h2>\n<table class=\"facts\">\n");
        fact(doc, "Run", f.run());
        fact(doc, "Folder", f.runDir());
        doc.raw("<tr><th scope=\"row\">Grid</th><td>").raw(f.gridPrompts() + " prompts × " + f.gridSeeds() + " seeds × "
                + f.gridRecipes() + " recipes = " + f.gridCells() + " cells of " + f.width() + "×" + f.height()
                + "; " + f.recordedCells() + " cells recorded in images/").raw("</td></tr>\n");
        fact(doc, "Images made", f.firstImage() == null ? ReportNumbers.MISSING
                : time(f.firstImage()) + " to " + time(f.lastImage()));
        fact(doc, "Code version", String.join("; ", limited(f.codeVersions())));
        fact(doc, "Devices", String.join("; ", limited(f.devices())));
        fact(doc, "Report", "made " + time(f.generatedAt()) + " by " + f.reportVersion() + "; showing the first "
                + data.options().maxPrompts() + " prompts by id, the first " + data.options().maxSeeds()
                + " seeds of each group, thumbnails of at most " + data.options().thumbnail() + " px");
        doc.raw("</table>\n<h3>Models</h3>\n<table>\n<thead><tr><th>Model</th><th>Content hash (SHA-256)</th><th>Path</th>")
                .raw("</tr></thead>\n<tbody>\n");
        for (ReportData.Model m : f.models()) {
            String prefix = m.sha256().length() > HASH_PREFIX ? m.sha256().substring(0, HASH_PREFIX) : m.sha256();
            doc.raw("<tr><td>").text(m.name()).raw("</td><td><code title=\"").text(m.sha256()).raw("\">").text(prefix)
                    .raw("…</code></td><td>").text(m.path() == null ? ReportNumbers.MISSING : m.path()).raw("</td></tr>\n");
        }
        doc.raw("</tbody>\n</table>\n<h3>Cells by status</h3>\n<table>\n<thead><tr><th>Recipe</th><th>Grid cells</th>")
                .raw("<th>Recorded</th>");
        List<String> statuses = data.counts().stream().flatMap(c -> c.byStatus().keySet().stream()).distinct().toList();
        statuses.forEach(s -> doc.raw("<th>").text(s).raw("</th>"));
        doc.raw("</tr></thead>\n<tbody>\n");
        for (ReportData.RecipeCounts c : data.counts()) {
            doc.raw("<tr data-recipe=\"").text(c.recipe()).raw("\"><th scope=\"row\">").text(c.recipe())
                    .raw("</th><td class=\"num\">").raw(Long.toString(c.gridCells())).raw("</td><td class=\"num\">")
                    .raw(Long.toString(c.recorded())).raw("</td>");
            for (String s : statuses) {
                long n = c.byStatus().getOrDefault(s, 0L);
                doc.raw("<td class=\"num").raw(n > 0 && !s.equals("ok") ? " bad" : "").raw("\">").raw(Long.toString(n))
                        .raw("</td>");
            }
            doc.raw("</tr>\n");
        }
        doc.raw("</tbody>\n</table>\n</section>\n");
    }

    private static void front(Doc doc, ReportData data) {
        doc.raw("<section id=\"front\">\n<h2>Front</h2>\n");
        String svg;
        if (data.tune() != null) {
            svg = FrontCharts.tune(data.tune());
        } else if (data.measurements() == null || data.measurements().recipes().isEmpty()) {
            doc.raw("<p class=\"notice\">Not measured yet: the chart of diversity against adherence comes with the")
                    .raw(" metrics (<code>seedgrid measure CONFIG</code>).</p>\n</section>\n");
            return;
        } else {
            svg = FrontCharts.run(data);
            if (svg == null) {
                doc.raw("<p class=\"notice\">The chart of diversity against adherence needs a CLIP score")
                        .raw(" (<code>measure.clip</code>) and a diversity metric.</p>\n</section>\n");
                return;
            }
        }
        String pct = String.format(Locale.ROOT, "%.0f%%", 100 * (data.tune() != null ? data.tune().level()
                : data.measurements().level()));
        doc.raw("<figure class=\"chart-box\">").raw(svg).raw("\n<figcaption>Each ")
                .raw(data.tune() != null ? "candidate" : "recipe").raw(" at its mean over prompts, whiskers its ").raw(pct)
                .raw(" bootstrap interval over prompts, filled by its cost. <b>Outlined and named</b>: the front of")
                .raw(" diversity, adherence and cost (nothing else is at least as diverse and as adherent for no more")
                .raw(" cost). <b>Dashed</b>: the edge of what the shown recipes reach on the two axes, at any cost.")
                .raw(data.tune() != null ? " Pale: candidates that stopped at an earlier rung, measured on fewer prompts"
                        + " and seeds; the front is taken among the last rung's candidates and the references." : "")
                .raw("</figcaption></figure>\n</section>\n");
    }

    private static void tune(Doc doc, ReportData.Tune tune) {
        long stopped = tune.candidates().stream().filter(c -> "stopped".equals(c.status())).count();
        long images = tune.candidates().stream().mapToLong(ReportData.TuneCandidate::images).sum();
        doc.raw("<section id=\"tune\">\n<h2>Tune</h2>\n<p><code>seedgrid tune</code> searched ")
                .raw(Long.toString(tune.candidates().stream().filter(c -> !c.reference()).count()))
                .raw(" candidates and ").raw(Long.toString(tune.candidates().stream().filter(c -> c.reference()).count()))
                .raw(" references: many candidates on few prompts and seeds first, then more prompts and seeds for those")
                .raw(" whose intervals keep them near the front; ").raw(Long.toString(stopped))
                .raw(" stopped at an earlier rung. It rendered ").raw(Long.toString(images))
                .raw(" images. Diversity: <code>").text(tune.diversity()).raw("</code>; adherence: <code>")
                .text(tune.adherence()).raw("</code>; cost: ").text("seconds".equals(tune.cost()) ? "seconds per image"
                        : "UNet evaluations per image").raw(".</p>\n");
        List<ReportData.TuneCandidate> picks = tune.candidates().stream().filter(c -> c.recommendedFor() != null).toList();
        if (!picks.isEmpty()) {
            doc.raw("<h3>Recommended recipes</h3>\n<ul class=\"recommend\">\n");
            for (ReportData.TuneCandidate c : picks) {
                doc.raw("<li data-recipe=\"").text(c.name()).raw("\"><b>").text(c.recommendedFor()).raw("</b>: ")
                        .text(c.name()).raw(" — diversity ").text(ReportNumbers.interval(c.diversity(), c.diversityLow(),
                                c.diversityHigh())).raw(", adherence ").text(ReportNumbers.interval(c.adherence(),
                                c.adherenceLow(), c.adherenceHigh())).raw(", ").raw(Integer.toString(c.unetEvaluations()))
                        .raw(" UNet evaluations per image<pre class=\"yaml\"><code>- ").text(c.yaml())
                        .raw("</code></pre></li>\n");
            }
            doc.raw("</ul>\n");
        }
        doc.raw("<h3>The front against cost</h3>\n<div class=\"charts\">");
        for (String svg : FrontCharts.againstCost(tune)) {
            doc.raw(svg);
        }
        doc.raw("</div>\n<h3>Candidates</h3>\n<table class=\"tune\">\n<thead><tr><th>Candidate</th><th>Searched values</th>")
                .raw("<th>Reached</th><th>UNet evaluations<span class=\"dir\">per image</span></th><th>Seconds")
                .raw("<span class=\"dir\">per image</span></th><th>").text(tune.diversity())
                .raw("<span class=\"dir\">↑ more diverse</span></th><th>").text(tune.adherence())
                .raw("<span class=\"dir\">↑ more adherent</span></th><th>Status</th></tr></thead>\n<tbody>\n");
        for (ReportData.TuneCandidate c : tune.candidates()) {
            doc.raw("<tr data-recipe=\"").text(c.name()).raw("\" class=\"").text(c.status()).raw("\"><th scope=\"row\">")
                    .text(c.name()).raw(c.reference() ? " <span class=\"tag\">reference</span>" : "").raw("</th><td>")
                    .text(parameters(c.parameters())).raw("</td><td class=\"num\">")
                    .raw("rung " + c.rung() + ": " + c.prompts() + " × " + c.seeds()).raw("</td><td class=\"num\">")
                    .raw(Integer.toString(c.unetEvaluations())).raw("</td><td class=\"num\">")
                    .raw(c.secondsPerImage() == null ? ReportNumbers.MISSING : ReportNumbers.format(c.secondsPerImage()))
                    .raw("</td><td class=\"num\">").text(ReportNumbers.interval(c.diversity(), c.diversityLow(),
                            c.diversityHigh())).raw("</td><td class=\"num\">").text(ReportNumbers.interval(c.adherence(),
                            c.adherenceLow(), c.adherenceHigh())).raw("</td><td><b>").text(c.status()).raw("</b>");
            if (c.reason() != null) {
                doc.raw("<span class=\"reason\">").text(c.reason()).raw("</span>");
            }
            doc.raw("</td></tr>\n");
        }
        doc.raw("</tbody>\n</table>\n<p class=\"muted\">Reached: the last rung the candidate was rendered and measured")
                .raw(" at, its prompts × seeds per prompt; its values are means over those prompts. Everything here is in")
                .raw(" <code>tune/candidates.parquet</code>.</p>\n</section>\n");
    }

    private static void recipes(Doc doc, ReportData data) {
        doc.raw("<section id=\"recipes\">\n<h2>Recipes</h2>\n");
        ReportData.Measurements m = data.measurements();
        if (m == null) {
            doc.raw("<p class=\"notice\">Not measured yet: run <code>seedgrid measure CONFIG</code> (or <code>seedgrid run")
                    .raw(" CONFIG</code>) for the diversity metrics, then make this report again.</p>\n</section>\n");
            return;
        }
        if (m.staleGroups() > 0) {
            doc.raw("<p class=\"notice\">Groups (prompt × recipe) not measured yet or with other cells than when they")
                    .raw(" were measured: ").raw(Integer.toString(m.staleGroups())).raw(". Rerun <code>seedgrid measure")
                    .raw(" CONFIG</code> to bring the metrics up to date.</p>\n");
        }
        if (m.recipes().isEmpty()) {
            doc.raw("<p class=\"notice\">recipes/ is not written yet (the last measure run stopped before its end): rerun")
                    .raw(" <code>seedgrid measure CONFIG</code>.</p>\n</section>\n");
            return;
        }
        String pct = String.format(Locale.ROOT, "%.0f%%", 100 * m.level());
        doc.raw("<p>Each cell: the mean over prompts of the per-prompt value (every prompt weighs alike), with its ")
                .raw(pct).raw(" bootstrap interval over prompts (").raw(Integer.toString(m.resamples()))
                .raw(" resamples)");
        if (m.reference() != null) {
            doc.raw(". Δ: the mean paired difference recipe − <b>").text(m.reference())
                    .raw("</b> over the prompts both have, with its interval; <b>bold</b> when the interval excludes 0");
        }
        doc.raw(". Measured ").text(m.lastMeasured() == null ? ReportNumbers.MISSING : time(m.lastMeasured()))
                .raw("; ").raw(Integer.toString(m.measuredGroups())).raw(" groups.</p>\n");
        List<String> headline = FrontCharts.headline(m.metrics());
        recipeTable(doc, data, headline, "recipes", true);
        doc.raw("<details><summary>All ").raw(Integer.toString(m.metrics().size()))
                .raw(" metrics of each recipe</summary>\n<div class=\"scroll\">");
        recipeTable(doc, data, m.metrics(), "recipes all", false);
        doc.raw("</div></details>\n");
        doc.raw("<p class=\"muted\">Distances (LPIPS, 1 − cosine of embeddings, 1 − SSIM, 1 − MS-SSIM)")
                .raw(" are mean pairwise distances between the seeds' images; Vendi scores are the effective number of")
                .raw(" distinct images among the seeds; both grow with diversity. The CLIP score grows with adherence to")
                .raw(" the prompt: read diversity gains next to it.</p>\n</section>\n");
    }

    /** One table of the recipes' values of {@code metrics}, with the UNet evaluations per image when {@code cost}. */
    private static void recipeTable(Doc doc, ReportData data, List<String> metrics, String cls, boolean cost) {
        ReportData.Measurements m = data.measurements();
        doc.raw("<table class=\"").raw(cls).raw("\">\n<thead><tr><th>Recipe</th>");
        if (cost) {
            doc.raw("<th>UNet evaluations<span class=\"dir\">per image</span></th>");
        }
        for (String metric : metrics) {
            MetricDirection direction = MetricDirection.of(metric);
            doc.raw("<th data-metric=\"").text(metric).raw("\">").text(metric);
            if (direction != MetricDirection.UNKNOWN) {
                doc.raw("<span class=\"dir\">").text(direction.label()).raw("</span>");
            }
            doc.raw("</th>");
        }
        doc.raw("</tr></thead>\n<tbody>\n");
        for (ReportData.RecipeCounts c : data.counts()) {
            Map<String, ReportData.RecipeValue> values = m.recipes().get(c.recipe());
            if (values == null) {
                continue;
            }
            boolean isReference = c.recipe().equals(m.reference());
            doc.raw("<tr data-recipe=\"").text(c.recipe()).raw("\"><th scope=\"row\">").text(c.recipe());
            if (isReference) {
                doc.raw(" <span class=\"tag\">reference</span>");
            }
            doc.raw("</th>");
            if (cost) {
                Integer n = data.unetEvaluations().get(c.recipe());
                doc.raw("<td class=\"num\">").raw(n == null ? ReportNumbers.MISSING : Integer.toString(n)).raw("</td>");
            }
            for (String metric : metrics) {
                ReportData.RecipeValue v = values.get(metric);
                if (v == null) {
                    doc.raw("<td>").raw(ReportNumbers.MISSING).raw("</td>");
                    continue;
                }
                doc.raw("<td class=\"num\" title=\"").raw(v.prompts() + " prompts").raw("\"><span class=\"value\">")
                        .text(ReportNumbers.interval(v.mean(), v.low(), v.high())).raw("</span>");
                if (m.reference() != null && !isReference) {
                    boolean excludesZero = v.diff() != null && (v.diffLow() > 0 || v.diffHigh() < 0);
                    doc.raw("<span class=\"diff").raw(excludesZero ? " sig" : "").raw("\" title=\"")
                            .raw((v.pairedPrompts() == null ? 0 : v.pairedPrompts()) + " paired prompts").raw("\">Δ ")
                            .text(ReportNumbers.difference(v.diff(), v.diffLow(), v.diffHigh())).raw("</span>");
                }
                doc.raw("</td>");
            }
            doc.raw("</tr>\n");
        }
        doc.raw("</tbody>\n</table>\n");
    }

    private static int sheets(Doc doc, ReportData data) {
        doc.raw("<section id=\"prompts\">\n<h2>Contact sheets</h2>\n<p>");
        int shown = data.prompts().size();
        doc.raw(shown == data.totalPrompts() ? "All " + shown + " prompts" : "The first " + shown + " of "
                + data.totalPrompts() + " prompts (by prompt_id; <code>--max-prompts</code> shows more)");
        doc.raw(", one sheet per recipe with the first ").raw(Integer.toString(data.options().maxSeeds()))
                .raw(" seeds of the group (by seed). Striped tiles are cells without an image (status nan or error).")
                .raw(" Captions: the group's measured images (n), failed cells and metrics.</p>\n");
        int thumbnails = 0;
        for (ReportData.PromptSheets p : data.prompts()) {
            doc.raw("<article class=\"prompt\">\n<h3><code>").text(p.promptId()).raw("</code></h3>\n<p class=\"text\">")
                    .text(p.prompt()).raw("</p>\n");
            List<String> negatives = p.negativePrompts().stream().filter(n -> !n.isEmpty()).toList();
            if (!negatives.isEmpty()) {
                doc.raw("<p class=\"neg\">Negative: ").text(String.join(" | ", negatives)).raw("</p>\n");
            }
            doc.raw("<div class=\"sheets\">\n");
            for (ReportData.Sheet s : p.sheets()) {
                doc.raw("<figure class=\"sheet\" data-recipe=\"").text(s.recipe()).raw("\">\n<div class=\"tiles\">");
                for (ReportData.Tile t : s.tiles()) {
                    String seed = seed(t.seed());
                    if (t.thumbnail() != null) {
                        doc.raw("<div class=\"tile\"><img src=\"data:image/png;base64,")
                                .raw(Base64.getEncoder().encodeToString(t.thumbnail().png())).raw("\" width=\"")
                                .raw(Integer.toString(t.thumbnail().width())).raw("\" height=\"")
                                .raw(Integer.toString(t.thumbnail().height())).raw("\" alt=\"seed ").raw(seed)
                                .raw("\" title=\"seed ").raw(seed).raw("\"><span>").raw(seed).raw("</span></div>");
                        thumbnails++;
                    } else {
                        String status = "ok".equals(t.status()) ? "unreadable" : t.status();
                        doc.raw("<div class=\"tile missing\" title=\"seed ").raw(seed).raw(": ").text(status)
                                .raw("\"><div class=\"box\">").text(status).raw("</div><span>").raw(seed).raw("</span></div>");
                    }
                }
                doc.raw("</div>\n<figcaption><b>").text(s.recipe()).raw("</b>");
                if (s.tiles().size() < s.recorded()) {
                    doc.raw(" <span class=\"muted\">(").raw(s.tiles().size() + " of " + s.recorded()).raw(" seeds)</span>");
                }
                ReportData.GroupMetrics g = s.group();
                if (g == null) {
                    doc.raw("<span class=\"m muted\">not measured yet</span>");
                } else {
                    doc.raw("<span class=\"m\">n ").raw(Integer.toString(g.n())).raw(" · failed ")
                            .raw(Integer.toString(g.failed())).raw("</span>");
                    for (Map.Entry<String, Double> e : g.values().entrySet()) {
                        doc.raw("<span class=\"m\">").text(e.getKey()).raw(" ").text(ReportNumbers.format(e.getValue()))
                                .raw("</span>");
                    }
                }
                if (s.stale()) {
                    doc.raw("<span class=\"m tag warn\">measured before its latest cells</span>");
                }
                doc.raw("</figcaption>\n</figure>\n");
            }
            doc.raw("</div>\n</article>\n");
        }
        doc.raw("</section>\n");
        return thumbnails;
    }

    private static void failed(Doc doc, ReportData data) {
        doc.raw("<section id=\"failed\">\n<h2>Failed cells</h2>\n");
        if (data.failedTotal() == 0) {
            doc.raw("<p>No failed cells: every recorded cell has status ok.</p>\n</section>\n");
            return;
        }
        doc.raw("<p>").raw(data.failedTotal() + (data.failedTotal() == 1 ? " cell is" : " cells are"))
                .raw(data.failed().size() < data.failedTotal() ? " (the first " + data.failed().size() + " listed)" : "")
                .raw(" recorded with a status other than ok (<code>nan</code>: NaN or Inf in the latents or the")
                .raw(" decoded image; <code>error</code>: the message says why). They count as done: delete their rows")
                .raw(" from images/ to render them again.</p>\n<div class=\"scroll\"><table class=\"failed\">\n<thead><tr>")
                .raw("<th>Status</th><th>Recipe</th><th>prompt_id</th><th>Prompt</th><th>Seed</th><th>Device</th>")
                .raw("<th>Message</th></tr></thead>\n<tbody>\n");
        for (ReportData.FailedCell c : data.failed()) {
            String message = c.message() == null ? "" : c.message();
            if (message.length() > MAX_MESSAGE) {
                message = message.substring(0, MAX_MESSAGE) + " …";
            }
            doc.raw("<tr><td>").text(c.status()).raw("</td><td>").text(c.recipe()).raw("</td><td><code>").text(c.promptId())
                    .raw("</code></td><td class=\"text\">").text(c.prompt()).raw("</td><td class=\"num\">").raw(seed(c.seed()))
                    .raw("</td><td>").text(c.device()).raw("</td><td class=\"msg\">").text(message).raw("</td></tr>\n");
        }
        doc.raw("</tbody>\n</table></div>\n</section>\n");
    }

    /** The searched values, {@code {"alpha":"0.3"}} in {@code tune/}, as {@code alpha 0.3}. */
    private static String parameters(String json) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            List<String> parts = new java.util.ArrayList<>();
            node.fields().forEachRemaining(e -> parts.add(e.getKey() + " " + e.getValue().asText()));
            return parts.isEmpty() ? ReportNumbers.MISSING : String.join(", ", parts);
        } catch (java.io.IOException e) {
            return json;
        }
    }

    private static void fact(Doc doc, String name, String value) {
        doc.raw("<tr><th scope=\"row\">").raw(name).raw("</th><td>").text(value).raw("</td></tr>\n");
    }

    /** At most {@link ReportReader#MAX_DISTINCT} values, then how many more there are. */
    private static List<String> limited(List<String> values) {
        if (values.size() <= ReportReader.MAX_DISTINCT) {
            return values;
        }
        List<String> out = new java.util.ArrayList<>(values.subList(0, ReportReader.MAX_DISTINCT));
        out.add("and " + (values.size() - ReportReader.MAX_DISTINCT) + " more");
        return out;
    }

    private static String seed(BigDecimal seed) {
        return seed.toBigInteger().toString();
    }

    private static String time(Instant instant) {
        return TIME.format(instant);
    }

    /**
     * The stylesheet. Missing-image tiles get the size of the run's thumbnails here, so that no element
     * needs a {@code style} attribute (which the policy would block).
     */
    private static String stylesheet(ReportData data) {
        int[] box = Thumbnail.fit(data.facts().width(), data.facts().height(), data.options().thumbnail());
        return """
                :root{color-scheme:light dark;--fg:#1d1d1f;--muted:#60606a;--line:#d4d4dc;--bg:#fff;--panel:#f4f4f7;\
                --accent:#2457c5;--bad:#b3261e}
                @media (prefers-color-scheme:dark){:root{--fg:#e8e8ec;--muted:#a2a2ad;--line:#3a3a42;--bg:#151518;\
                --panel:#1f1f24;--accent:#86a8ff;--bad:#ff8a80}}
                body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);\
                background:var(--bg);margin:0 auto;max-width:1680px;padding:1.5rem}
                h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.25rem;border-bottom:1px solid var(--line);\
                padding-bottom:.25rem;margin-top:2.2rem}h3{font-size:1rem;margin:1.3rem 0 .25rem}
                nav a{margin-right:1.2rem;color:var(--accent)}.muted{color:var(--muted)}
                table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.3rem .55rem;\
                text-align:left;vertical-align:top}thead th{background:var(--panel)}
                .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bad{color:var(--bad);font-weight:600}
                .scroll{overflow-x:auto}.dir{display:block;font-weight:normal;color:var(--muted);font-size:.85em}
                .recipes .value{display:block}.diff{display:block;color:var(--muted);font-size:.9em}\
                .diff.sig{color:var(--fg);font-weight:600}
                .tag{display:inline-block;padding:0 .45em;border-radius:3px;background:var(--panel);\
                border:1px solid var(--line);font-size:.8em;font-weight:normal}.tag.warn{color:var(--bad)}
                .notice{background:var(--panel);border-left:4px solid var(--accent);padding:.6rem .8rem}
                .text{white-space:pre-wrap;overflow-wrap:anywhere}.prompt .text{margin:.2rem 0}\
                .neg{color:var(--muted);margin:.1rem 0;overflow-wrap:anywhere}
                .sheets{display:flex;gap:1rem;overflow-x:auto;padding-bottom:.5rem;align-items:flex-start}
                .sheet{margin:0;border:1px solid var(--line);border-radius:6px;padding:.5rem;background:var(--panel);\
                flex:0 0 auto}
                .sheet figcaption{margin-top:.4rem;font-size:.85em}.sheet figcaption .m{display:block}
                .tiles{display:grid;grid-template-columns:repeat(%d,%dpx);gap:4px}
                .tile{display:flex;flex-direction:column;align-items:center;font-size:.7em;color:var(--muted)}
                .tile span{max-width:100%%;overflow-wrap:anywhere;text-align:center}
                .tile img{display:block}
                .box{display:flex;align-items:center;justify-content:center;width:%dpx;height:%dpx;color:var(--bad);\
                background:repeating-linear-gradient(45deg,#8884 0 6px,#8881 6px 12px)}
                .msg{white-space:pre-wrap;overflow-wrap:anywhere;max-width:48rem;font-family:ui-monospace,monospace;\
                font-size:.85em}
                footer{margin-top:2.5rem;font-size:.85em}
                .chart{max-width:100%%;height:auto;display:block}.chart-box{margin:0}.chart-box figcaption{max-width:60rem;\
                font-size:.9em;color:var(--muted)}.charts{display:flex;flex-wrap:wrap;gap:1rem}\
                .charts .chart{flex:1 1 520px;max-width:720px}
                .recipes th[scope=row],.tune th[scope=row]{max-width:16rem;overflow-wrap:anywhere}\
                .recipes thead th{overflow-wrap:anywhere;max-width:14rem}
                details{margin:.5rem 0}summary{cursor:pointer;color:var(--accent)}
                .reason{display:block;font-size:.85em;color:var(--muted);max-width:26rem}\
                .tune tr.stopped{color:var(--muted)}
                pre.yaml{background:var(--panel);padding:.4rem .6rem;overflow-x:auto;margin:.3rem 0 .8rem}
                """.formatted(columns(data.options().maxSeeds()), Math.max(box[0], 48), box[0], box[1]);
    }

    /** Tiles per row of a contact sheet: about square, 4 × 4 for 16 seeds. */
    static int columns(int seeds) {
        return (int) Math.ceil(Math.sqrt(seeds));
    }

    /** The CSP source of {@code css}: {@code sha256-} and the base64 of its SHA-256 (CSP Level 2, hash-source). */
    private static String sha256(String css) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(css.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Appends to the writer: {@link #raw} for the report's own markup, {@link #text} for everything from the data. */
    private static final class Doc {
        private final Writer out;

        Doc(Writer out) {
            this.out = out;
        }

        Doc raw(String markup) {
            try {
                out.write(markup);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report", e);
            }
            return this;
        }

        Doc text(String untrusted) {
            return raw(Html.escape(untrusted));
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the report", e);
            }
        }
    }
}
