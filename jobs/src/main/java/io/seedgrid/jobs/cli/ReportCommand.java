package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.report.ReportJob;
import io.seedgrid.jobs.report.ReportOptions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seedgrid report CONFIG}: the report stage alone. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write <output>/<run>/report.html: one self-contained HTML file (no script, nothing loaded from"
                + " elsewhere) with the run's facts, the recipe table with 95%% bootstrap intervals and paired"
                + " differences to the reference recipe, contact sheets per prompt and recipe captioned with their"
                + " metrics, and the failed cells. Works before `seedgrid measure` too.")
final class ReportCommand implements Callable<Integer> {

    @Mixin
    RunConfigArgs args;

    @Option(names = "--max-prompts", defaultValue = "" + ReportOptions.DEFAULT_MAX_PROMPTS,
            description = "contact sheets for the first N prompts by prompt_id (default: ${DEFAULT-VALUE})")
    int maxPrompts;

    @Option(names = "--max-seeds", defaultValue = "" + ReportOptions.DEFAULT_MAX_SEEDS,
            description = "thumbnails of the first N seeds of each prompt and recipe (default: ${DEFAULT-VALUE})")
    int maxSeeds;

    @Option(names = "--thumbnail", defaultValue = "" + ReportOptions.DEFAULT_THUMBNAIL,
            description = "thumbnail size in pixels on the long side (default: ${DEFAULT-VALUE})")
    int thumbnail;

    @Override
    public Integer call() {
        ReportOptions options = new ReportOptions(maxPrompts, maxSeeds, thumbnail);
        RunConfig run = args.parse();
        SparkSession spark = args.session(run);
        System.out.println(ReportJob.run(run, spark, options, System.out).report());
        return 0;
    }
}
