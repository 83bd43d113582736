package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seedgrid generate CONFIG}: the generation stage alone. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Render every cell of the config's prompt x seed x recipe grid that is not rendered yet, into"
                + " <output>/<run>/images/ (Parquet).")
final class GenerateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "run config (YAML)")
    Path config;

    @Option(names = "--master", description = "Spark master (default: the config's spark.master, spark-submit's, else local[*])")
    String master;

    @Override
    public Integer call() {
        RunConfig run = RunConfigParser.parse(config);
        Map<String, ModelIdentity> models = Preflight.check(run);
        SparkSession spark = Stages.session(run, master);
        System.out.println(GenerateJob.run(run, models, spark, System.out, GenerateJob.ChunkListener.NONE).report());
        return 0;
    }

    /** What the stage commands share. */
    static final class Stages {
        private Stages() {
        }

        static SparkSession session(RunConfig run, String masterOverride) {
            String master = masterOverride != null ? masterOverride : run.master();
            SessionSpec spec = SessionSpec.of("seedgrid " + run.run()).withOutput(run.output()).withConf(run.sparkConf());
            if (master != null) {
                spec = spec.withMaster(master);
            }
            return SparkSessions.getOrCreate(spec);
        }
    }
}
