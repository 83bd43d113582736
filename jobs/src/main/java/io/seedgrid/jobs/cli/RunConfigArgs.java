package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
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

    /** The config, read strictly (bad input exits 2 before anything starts). */
    RunConfig parse() {
        return RunConfigParser.parse(config);
    }

    /** The SparkSession for {@code run}: --master, else the config's, else spark-submit's or local[*]. */
    SparkSession session(RunConfig run) {
        return session(run, master != null ? master : run.master());
    }

    static SparkSession session(RunConfig run, String master) {
        SessionSpec spec = SessionSpec.of("seedgrid " + run.run()).withOutput(run.output()).withConf(run.sparkConf())
                .withShuffleKeys((long) run.prompts().size() * run.recipes().size());
        return SparkSessions.getOrCreate(master == null ? spec : spec.withMaster(master));
    }
}
