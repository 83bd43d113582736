package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.ConfigNode;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.tune.TuneConfigParser;
import io.seedgrid.jobs.tune.TuneJob;
import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** The arguments every stage command takes: the run config and an optional Spark master (a picocli mixin). */
final class RunConfigArgs {

    @Parameters(paramLabel = "CONFIG", description = "run config (YAML)")
    Path config;

    @Option(names = "--master", description = "Spark master (default: the config's spark.master, else spark-submit's, else"
            + " local[*]; under spark-submit it must equal spark-submit's)")
    String master;

    /**
     * The config, read strictly, with what every stage checks before anything starts (bad input exits 2):
     * the Spark master URL ({@code --master}, else the config's) and the output location. A tune config (one with
     * a {@code tune:} section) stands for its tune folder's run, the exhaustive grid over its space: the stages
     * measure, report or complete what {@code seedgrid tune} rendered.
     */
    RunConfig parse() {
        RunConfig run = isTune(config) ? TuneJob.gridConfig(TuneConfigParser.parse(config), null, null)
                : RunConfigParser.parse(config);
        SparkSessions.checkMaster(master != null ? master.strip() : run.master());
        OutputLocation.check(run);
        return run;
    }

    /**
     * The SparkSession for {@code run}: --master, else the config's, else spark-submit's or local[*]. From here
     * on SIGTERM and SIGINT stop the stage gracefully ({@link Signals}).
     */
    SparkSession session(RunConfig run) {
        Signals.install();
        return session(run, master != null ? master : run.master());
    }

    /** Whether {@code file} is a tune config: a YAML mapping with a top-level {@code tune} key. */
    static boolean isTune(Path file) {
        ConfigNode root = ConfigNode.parse(file);
        return root.isMap() && root.has("tune");
    }

    /** The Hadoop settings the run's Spark session would have ({@code spark.hadoop.*} of the config), without Spark. */
    Configuration hadoopConfiguration(RunConfig run) {
        Configuration conf = new Configuration();
        run.sparkConf().forEach((key, value) -> {
            if (key.startsWith("spark.hadoop.")) {
                conf.set(key.substring("spark.hadoop.".length()), value);
            }
        });
        return conf;
    }

    static SparkSession session(RunConfig run, String master) {
        SessionSpec spec = SessionSpec.of("seedgrid " + run.run()).withOutput(run.output()).withConf(run.sparkConf())
                .withShuffleKeys((long) run.prompts().size() * run.recipes().size());
        return SparkSessions.getOrCreate(master == null ? spec : spec.withMaster(master));
    }
}
