package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seedgrid generate CONFIG}: the generation stage alone. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Render every cell of the config's prompt x seed x recipe grid that is not rendered yet, into"
                + " <output>/<run>/images/ (Parquet).")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    RunConfigArgs args;

    @Override
    public Integer call() {
        RunConfig run = args.parse();
        Map<String, ModelIdentity> models = Preflight.check(run);
        SparkSession spark = args.session(run);
        System.out.println(GenerateJob.run(run, models, spark, System.out, GenerateJob.ChunkListener.NONE).report());
        return 0;
    }
}
