package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.measure.MetricModels;
import io.seedgrid.jobs.spark.SparkSessions;
import io.seedgrid.jobs.tune.GridConfigFile;
import io.seedgrid.jobs.tune.TuneConfig;
import io.seedgrid.jobs.tune.TuneConfigParser;
import io.seedgrid.jobs.tune.TuneJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code seedgrid tune CONFIG}: searches the config's recipe space for the diversity–adherence–cost front with a
 * budget of images (README, "Tuning"). Every check is made before Spark starts: the config, the master URL, the
 * output location, the metric models and metrics, and every candidate's models, timelines and blends (as
 * {@code generate} checks the exhaustive grid's config).
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search recipes for the front of diversity, adherence and cost within a budget of images:"
                + " many candidates on few prompts and seeds first, then more for those near the front. Writes"
                + " <output>/<run>/candidates/<candidate>/ (ordinary runs), tune/candidates.parquet and report.html, and"
                + " prints the front and a recommended recipe per budget. Rerunning a killed tune resumes it.")
final class TuneCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "tune config (YAML): a run config with a tune: section")
    Path config;

    @Option(names = "--master", description = "Spark master (default: the config's spark.master, spark-submit's, else local[*])")
    String master;

    @Option(names = "--grid-config", paramLabel = "FILE", description = "write the run config of the exhaustive grid over"
            + " the same space (every candidate as a recipe, the whole pool) to FILE and exit; `seedgrid run FILE` renders"
            + " and measures it (into the tune's folder, around its images, unless --grid-run names another run)")
    Path gridConfig;

    @Option(names = "--grid-run", paramLabel = "NAME", description = "the run name --grid-config writes (default: the"
            + " tune's)")
    String gridRun;

    @Override
    public Integer call() {
        TuneConfig tune = TuneConfigParser.parse(config);
        SparkSessions.checkMaster(master != null ? master.strip() : tune.run().master());
        if (gridConfig != null) {
            if (gridRun != null && !gridRun.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
                throw new IllegalArgumentException("--grid-run: a run name is letters, digits, '.', '_' and '-', got '"
                        + gridRun + "'");
            }
            GridConfigFile.write(tune, gridRun != null ? gridRun : tune.run().run(), gridConfig);
            System.out.println("tune: wrote " + gridConfig + " (" + tune.candidates().size() + " recipes x "
                    + tune.run().prompts().size() + " prompts x " + tune.run().seeds().size() + " seeds = "
                    + (long) tune.candidates().size() * tune.run().prompts().size() * tune.run().seeds().size() + " cells)");
            return 0;
        }
        OutputLocation.check(tune.run());
        MetricModels.of(tune.run().measure()).checkFiles();
        TuneJob.diversityMetric(tune);
        Map<String, ModelIdentity> models = Preflight.check(TuneJob.gridConfig(tune, tune.run().run(), tune.run().output()));
        Signals.install();
        SparkSession spark = RunConfigArgs.session(tune.run(), master != null ? master : tune.run().master());
        System.out.println(TuneJob.run(tune, models, spark, System.out, GenerateJob.Options.defaults()).report());
        return 0;
    }
}
