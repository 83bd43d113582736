package io.seedgrid.jobs.report;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.ImageRows;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code seedgrid report}: writes {@code <run>/report.html}, one self-contained HTML file with the run's
 * facts, the recipe table of {@code recipes/} (means with bootstrap intervals and paired differences to
 * the reference recipe), a chart of diversity against adherence, a row of contact sheets per prompt captioned
 * with the groups' metrics, and the failed cells; for a run that {@code seedgrid tune} made also its candidates,
 * its front against cost and its recommendations, and the front chart as {@code front.svg}. Works on a run that
 * is not measured yet. Reads only; the file is replaced atomically, so it takes no run lock and can run while
 * another stage writes the run.
 */
public final class ReportJob {

    /** The report file's name in the run folder. */
    public static final String FILE = "report.html";
    /** A tune run's front chart as a standalone SVG file in the run folder. */
    public static final String FRONT_SVG = "front.svg";
    /**
     * Above this size the console suggests smaller limits. The defaults (50 prompts × 16 seeds × recipes at
     * 160 px) give about 40-60 kB per thumbnail of a photographic 1024² image.
     */
    static final long LARGE = 100_000_000;

    /** What one report run wrote; {@code recipeTable} is the recipe table as text ("" before measure). */
    public record Summary(String path, long bytes, int promptsShown, int prompts, int thumbnails, boolean measured,
                          long failedCells, double seconds, String recipeTable) {
        public String report() {
            return recipeTable + String.format(Locale.ROOT, "report: %s, %s (%d of %d prompts, %d thumbnails, %s, %d"
                            + " failed cells) in %.1f s", path, ReportNumbers.bytes(bytes), promptsShown, prompts, thumbnails,
                    measured ? "measured" : "not measured yet", failedCells, seconds);
        }
    }

    private ReportJob() {
    }

    /**
     * Reads the run folder of {@code config} and writes its report.
     *
     * @throws IllegalArgumentException when the run folder has no {@code images/}
     */
    public static Summary run(RunConfig config, SparkSession spark, ReportOptions options, PrintStream console) {
        long start = System.nanoTime();
        String runDir = config.runDirectory();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        if (!ImageRows.exist(runDir, hadoop)) {
            throw new IllegalArgumentException("run folder " + runDir + " has no images/: run `seedgrid generate` (or"
                    + " `seedgrid run`) on this config first");
        }
        console.printf(Locale.ROOT, "report %s: reading %s%n", config.run(), runDir);
        ReportData data = ReportReader.read(config, spark, options);
        int[] thumbnails = new int[1];
        long bytes = ReportFile.write(runDir, FILE, hadoop, out -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            thumbnails[0] = ReportHtml.write(data, writer);
        });
        if (data.tune() != null) {
            // the tune's front as an image of its own, for slides and READMEs
            ReportFile.write(runDir, FRONT_SVG, hadoop, out -> {
                try {
                    out.write(ScatterChart.standalone(FrontCharts.tune(data.tune())).getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        if (bytes > LARGE) {
            console.printf(Locale.ROOT, "report %s: report.html is %s, which browsers open slowly; lower --max-prompts,"
                    + " --max-seeds or --thumbnail for a smaller one%n", config.run(), ReportNumbers.bytes(bytes));
        }
        return new Summary(runDir + "/" + FILE, bytes, data.prompts().size(), data.totalPrompts(), thumbnails[0],
                data.measurements() != null, data.failedTotal(), (System.nanoTime() - start) / 1e9, RecipeTable.text(data));
    }
}
