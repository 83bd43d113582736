package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.udf.image.PngBenchmark;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.rng.TorchGenerator;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The overlap benchmark ({@code seedgrid bench overlap}): how long a GPU waits for the CPU between UNet calls when
 * one Spark task slot renders a part, without a GPU. A {@link GpuStandIn} takes each sub-model call's modelled GPU
 * time (same shapes and call pattern as the real pipeline: one UNet call per step for the whole batch, the VAE one
 * image at a time, the text encoders once per prompt), and everything else is seedgrid's real code on this machine's
 * CPU: the part's task ({@link PartTask}: plan, units, Parquet file, publication), the recipe, the sampler, the
 * conversion to 8-bit, PNG encoding and the rows. Three set-ups run in turn, round after round, so that the
 * machine's drift hits them alike:
 * <ul>
 *   <li>{@link Setup#BEFORE}: every step on the task's thread, PNGs as seedgrid wrote them before (sub filter,
 *       zlib level 6);</li>
 *   <li>{@link Setup#SEQUENTIAL}: the same loop with seedgrid's PNG setting;</li>
 *   <li>{@link Setup#OVERLAPPED}: seedgrid's loop ({@link PartLoop}).</li>
 * </ul>
 * For each it reports images per second, the device's idle share between its first and last UNet call (and over
 * the whole part), and the CPU time per image outside ONNX Runtime (the process's CPU time, the real text encoders'
 * share taken out).
 */
public final class OverlapBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The set-ups compared. */
    enum Setup {
        BEFORE("sequential, PNG sub/level 6 (before)", PartLoop.Mode.SEQUENTIAL,
                new PngEncoder.Compression(PngEncoder.Filter.SUB, 6, false)),
        SEQUENTIAL("sequential, PNG " + PngEncoder.Compression.DEFAULT.label(), PartLoop.Mode.SEQUENTIAL,
                PngEncoder.Compression.DEFAULT),
        OVERLAPPED("overlapped, PNG " + PngEncoder.Compression.DEFAULT.label() + " (seedgrid)", PartLoop.Mode.OVERLAPPED,
                PngEncoder.Compression.DEFAULT);

        final String label;
        final PartLoop.Mode mode;
        final PngEncoder.Compression png;

        Setup(String label, PartLoop.Mode mode, PngEncoder.Compression png) {
            this.label = label;
            this.mode = mode;
            this.png = png;
        }
    }

    /**
     * @param unetMsPerRow  modelled GPU milliseconds of one UNet row (an image, or its unconditional twin under CFG)
     * @param vaeMsPerImage modelled GPU milliseconds of one VAE decode
     * @param textMsPerCall modelled GPU milliseconds of one text encoder call
     * @param rounds        timed runs of each set-up, after an untimed one
     * @param pngThreads    threads that PNG-encode a finished unit in the overlapped loop
     * @param picture       what the VAE stand-in returns, repeated over the image size; null: a synthetic photo-like one
     */
    public record Options(double unetMsPerRow, double vaeMsPerImage, double textMsPerCall, int rounds, int pngThreads,
                          RgbImage picture) {
        public Options {
            if (rounds < 1 || pngThreads < 1) {
                throw new IllegalArgumentException("--rounds and --png-threads must be at least 1");
            }
        }
    }

    /** One timed run of a set-up. */
    record Run(Setup setup, long images, double seconds, GpuStandIn.Usage usage, double cpuMsPerImage) {
        double imagesPerSecond() {
            return images / seconds;
        }
    }

    /**
     * CPU milliseconds per image of the largest single jobs outside ONNX Runtime, on one thread (fastest of five).
     *
     * @param latentMs    one image's initial latent (torch's generator)
     * @param pngMs       one PNG, seedgrid's setting
     * @param pngBeforeMs one PNG, the setting before
     */
    record Components(double latentMs, double pngMs, double pngBeforeMs) {
    }

    /** The benchmark's figures. */
    public record Result(String run, int width, int height, int batch, long cells, GpuStandIn.Costs costs, int pngThreads,
                         List<Run> runs, Components components) {

        /** The median over the rounds of {@code metric} of {@code setup}'s runs. */
        double median(Setup setup, java.util.function.ToDoubleFunction<Run> metric) {
            double[] values = runs.stream().filter(r -> r.setup() == setup).mapToDouble(metric).sorted().toArray();
            int n = values.length;
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }

        public String report() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "overlap bench: %s, %d cells of %dx%d in batches of %d, one task slot; GPU stand-in: UNet %.1f ms per"
                            + " row, VAE %.1f ms per image, text encoder %.1f ms per call; %d PNG threads%n",
                    run, cells, width, height, batch, costs.unetMsPerRow(), costs.vaeMsPerImage(), costs.textMsPerCall(),
                    pngThreads));
            out.append(String.format(Locale.ROOT, "  %-46s %9s %16s %12s %14s%n", "set-up (each run)", "images/s",
                    "GPU idle between", "GPU idle", "CPU ms/image"));
            out.append(String.format(Locale.ROOT, "  %-46s %9s %16s %12s %14s%n", "", "", "UNet calls", "whole part",
                    "outside ORT"));
            for (Run r : runs) {
                out.append(line(r.setup().label, r.imagesPerSecond(), r.usage().idleShareBetweenUnet(), r.usage().idleShare(),
                        r.cpuMsPerImage()));
            }
            out.append(String.format(Locale.ROOT, "  median of %d rounds:%n", runs.size() / Setup.values().length));
            for (Setup s : Setup.values()) {
                out.append(line(s.label, median(s, Run::imagesPerSecond), median(s, r -> r.usage().idleShareBetweenUnet()),
                        median(s, r -> r.usage().idleShare()), median(s, Run::cpuMsPerImage)));
            }
            out.append(String.format(Locale.ROOT,
                    "  images/s overlapped / before: %.3f; the GPU's own time bounds it at %.2f images/s%n",
                    median(Setup.OVERLAPPED, Run::imagesPerSecond) / median(Setup.BEFORE, Run::imagesPerSecond),
                    1000.0 / gpuMsPerImage()));
            return out.append(String.format(Locale.ROOT,
                    "  CPU per %dx%d image, one thread: initial latent %.1f ms, PNG %.1f ms (%s; before: %.1f ms)",
                    width, height, components.latentMs(), components.pngMs(), PngEncoder.Compression.DEFAULT.label(),
                    components.pngBeforeMs())).toString();
        }

        /** Modelled GPU milliseconds per image of the runs (from the stand-in's busy time). */
        double gpuMsPerImage() {
            Run any = runs.get(0);
            return 1000 * any.usage().busySeconds() / any.images();
        }

        private static String line(String label, double rate, double idleBetween, double idle, double cpuMs) {
            return String.format(Locale.ROOT, "  %-46s %9.3f %15.1f%% %11.1f%% %14.1f%n", label, rate, 100 * idleBetween,
                    100 * idle, cpuMs);
        }
    }

    private OverlapBench() {
    }

    /** Runs the benchmark on {@code config}'s grid (its models on the CPU; outputs under {@code scratch}). */
    public static Result run(RunConfig config, Options options, Path scratch, PrintStream console) {
        Map<String, ModelIdentity> models = Preflight.check(config);
        GridLayout layout = GridLayout.of(config, GridLayout.autoBuckets(config), 1);   // one task slot
        RgbImage picture = options.picture() != null
                ? PngBenchmark.tile(options.picture(), config.width(), config.height())
                : PngBenchmark.smooth(config.width(), config.height(), 1);
        GpuStandIn gpu = new GpuStandIn(new GpuStandIn.Costs(options.unetMsPerRow(), options.vaeMsPerImage(),
                options.textMsPerCall()), picture);
        Bench bench = new Bench(config, models, layout, gpu, options.pngThreads(), scratch);
        for (Setup setup : Setup.values()) {
            console.printf(Locale.ROOT, "warm-up: %s%n", setup.label);
            bench.run(setup, "warm-up-" + setup.name().toLowerCase(Locale.ROOT));
        }
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            for (Setup setup : Setup.values()) {
                Run run = bench.run(setup, "round-" + round + "-" + setup.name().toLowerCase(Locale.ROOT));
                console.printf(Locale.ROOT, "round %d of %d: %s: %.3f images/s, GPU idle between UNet calls %.1f%%%n", round,
                        options.rounds(), setup.label, run.imagesPerSecond(), 100 * run.usage().idleShareBetweenUnet());
                runs.add(run);
            }
        }
        long cells = runs.get(0).images();
        return new Result(config.run(), config.width(), config.height(), config.batchSize(), cells, gpu.costs(),
                options.pngThreads(), runs, components(picture, config));
    }

    /** One set-up's run of the whole grid, part after part, into a fresh folder. */
    private record Bench(RunConfig config, Map<String, ModelIdentity> models, GridLayout layout, GpuStandIn gpu,
                         int pngThreads, Path scratch) {
        Run run(Setup setup, String name) {
            RunContext context = new RunContext(config.run(), "bench", scratch.resolve(name).toString(), config.width(),
                    config.height(), config.longPrompt().name().toLowerCase(Locale.ROOT), models, config.blendCache(),
                    false, new HadoopConf(new Configuration()), new SdxlRenderer(1, gpu, setup.png));
            gpu.reset();
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            long images = 0;
            for (var parts = layout.parts(); parts.hasNext(); ) {
                images += PartTask.run(parts.next(), layout, context, setup.mode, pngThreads).rendered();
            }
            long end = System.nanoTime();
            GpuStandIn.Usage usage = gpu.usage(start, end);
            double cpuMs = ((processCpuNanos() - cpu) / 1e6 - usage.textCpuSeconds() * 1e3) / images;
            return new Run(setup, images, (end - start) / 1e9, usage, cpuMs);
        }
    }

    /** The largest single jobs' CPU time per image on this thread, fastest of five after a warm-up. */
    private static Components components(RgbImage picture, RunConfig config) {
        int latent = 4 * (config.height() / 8) * (config.width() / 8);
        Map<String, String> text = Map.of("parameters", "a benchmark image\nSteps: 4, Seed: 1");
        PngEncoder.Compression before = Setup.BEFORE.png;
        return new Components(
                fastestMs(() -> new TorchGenerator(1).randn(latent)),
                fastestMs(() -> PngEncoder.encode(picture, text)),
                fastestMs(() -> PngEncoder.encode(picture, text, before)));
    }

    private static double fastestMs(Runnable job) {
        job.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = THREADS.getCurrentThreadCpuTime();
            job.run();
            best = Math.min(best, THREADS.getCurrentThreadCpuTime() - start);
        }
        return best / 1e6;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
