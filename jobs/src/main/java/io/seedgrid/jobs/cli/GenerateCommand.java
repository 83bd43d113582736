package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.DryRun;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seedgrid generate CONFIG}: the generation stage alone. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Render every cell of the config's prompt x seed x recipe grid that is not rendered yet, into"
                + " <output>/<run>/images/ (Parquet).")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    RunConfigArgs args;

    @Option(names = "--dry-run", description = "print the grid, its parts, units, UNet evaluations and what is left to"
            + " do; render and write nothing")
    boolean dryRun;

    @Option(names = "--retry-errors", description = "render the cells recorded with status error again first (their"
            + " files are rewritten in place)")
    boolean retryErrors;

    @Override
    public Integer call() {
        RunConfig run = args.parse();
        Map<String, ModelIdentity> models = Preflight.check(run);
        if (dryRun) {
            System.out.println(DryRun.report(run, models, args.hadoopConfiguration(run),
                    SparkSessions.localSlots(args.master != null ? args.master : run.master()), () -> args.session(run)));
            return 0;
        }
        SparkSession spark = args.session(run);
        System.out.println(GenerateJob.run(run, models, spark, System.out,
                GenerateJob.Options.defaults().withRetryErrors(retryErrors)).report());
        return 0;
    }
}
