package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.GracefulStop;
import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.ModelIdentity;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.measure.MeasureJob;
import io.seedgrid.jobs.measure.MetricModels;
import io.seedgrid.jobs.report.ReportJob;
import io.seedgrid.jobs.report.ReportOptions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code seedgrid run CONFIG}: generate, measure and report in one SparkSession. Every check that the
 * stages make before Spark work (the config, the master URL, the output location, the metric models, the
 * generation models, which are hashed last) runs first, so bad input exits 2 before anything starts or
 * is written. A stage that fails stops the run with its message; the
 * stages before it stay committed and each stage skips finished work, so rerunning the same command
 * continues where it stopped.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "The whole run: generate every missing cell, measure every group not measured yet, write"
                + " report.html; in one SparkSession. Rerunning continues where a run stopped.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    RunConfigArgs args;

    @Override
    public Integer call() {
        RunConfig run = args.parse();
        MetricModels.of(run.measure()).checkFiles();
        MeasureJob.checkModels(run);
        Map<String, ModelIdentity> models = Preflight.check(run);
        SparkSession spark = args.session(run);
        stage("generate", () -> GenerateJob.run(run, models, spark, System.out, GenerateJob.Options.defaults()).report());
        stage("measure", () -> MeasureJob.run(run, spark, System.out, GenerateJob.WaveListener.NONE).report());
        stage("report", () -> ReportJob.run(run, spark, ReportOptions.defaults(), System.out).report());
        return 0;
    }

    /**
     * Runs one stage and prints its summary. A failure keeps its kind (bad input found by the stage, such
     * as a run folder made with other models, still exits 2; anything else exits 1) and says which stage
     * stopped and that a rerun continues.
     */
    private static void stage(String name, Supplier<String> body) {
        String summary;
        try {
            summary = body.get();
        } catch (GracefulStop.Interrupted e) {
            throw e;
        } catch (RuntimeException e) {
            String message = "the " + name + " stage stopped the run: " + BadInput.message(e)
                    + (name.equals("generate") ? "" : " (the stages before it are committed)")
                    + "; fix the cause and rerun `seedgrid run` to continue";
            throw BadInput.is(e) ? new IllegalArgumentException(message, e) : new StageFailedException(message, e);
        }
        System.out.println(summary);
    }

    /** A stage of {@code seedgrid run} failed while running (exit code 1). */
    static final class StageFailedException extends RuntimeException {
        StageFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
