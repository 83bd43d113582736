package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.measure.MeasureJob;
import io.seedgrid.jobs.measure.MetricModels;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code seedgrid measure CONFIG}: the measure stage alone. */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = "Measure seed diversity per prompt and recipe of <output>/<run>/images/ (LPIPS, embedding"
                + " distances, Vendi, SSIM, MS-SSIM, pixel Vendi, CLIP score, as the config's measure section names"
                + " the models) into groups/, pairs/, embeddings/ and recipes/ (Parquet). Groups already measured"
                + " with the same cells and models are skipped.")
final class MeasureCommand implements Callable<Integer> {

    @Mixin
    RunConfigArgs args;

    @Override
    public Integer call() {
        RunConfig run = args.parse();
        MetricModels.of(run.measure()).checkFiles();
        MeasureJob.checkModels(run);
        SparkSession spark = args.session(run);
        System.out.println(MeasureJob.run(run, spark, System.out, GenerateJob.WaveListener.NONE).report());
        return 0;
    }
}
