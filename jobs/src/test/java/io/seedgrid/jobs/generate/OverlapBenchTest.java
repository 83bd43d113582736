package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngBenchmark;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overlap benchmark's GPU stand-in sees the pipeline's real call pattern, and the benchmark runs its three
 * set-ups over a grid (its figures are timings: they are reported, never asserted).
 */
class OverlapBenchTest {

    /** 2 prompts x 5 seeds of the base and DMD2 recipes at 64x48 in batches of 4: units of 4 and 1 seeds. */
    private static RunConfig config(Path dir) {
        return TinyGrid.config(dir, "overlap", dir.resolve("out").toString(), """
                  - a red cube
                  - a green sphere
                """, TinyGrid.BASE_AND_DMD2, "batch_size: 4", "{start: 0, count: 5}", TinyGrid.tinyModel("fp32"),
                TinyGrid.tinyModel("dmd2-unet-only"));
    }

    @Test
    void theStandInSeesOneUnetCallPerStepForTheBatchAndTheVaeOncePerImage(@TempDir Path dir) throws Exception {
        RunConfig config = config(dir);
        RgbImage picture = PngBenchmark.smooth(config.width(), config.height(), 7);
        GpuStandIn gpu = new GpuStandIn(new GpuStandIn.Costs(1, 0.5, 0.2), picture);
        RunContext context = new RunContext(config.run(), "test", dir.resolve("run").toString(), config.width(),
                config.height(), "truncate",
                Preflight.check(config), null, false, new HadoopConf(new Configuration()),
                new SdxlRenderer(1, gpu, io.seedgrid.udf.image.PngEncoder.Compression.DEFAULT));
        GridLayout layout = GridLayout.of(config, 1, 1);
        List<WorkUnit> units = new ArrayList<>();
        for (var parts = layout.parts(); parts.hasNext(); ) {
            GridLayout.Part part = parts.next();
            if (layout.recipeName(part.recipe()).equals("dmd2")) {
                units.addAll(PartTask.units(part, layout, context, layout.cells(part), java.util.Set.of()));
            }
        }
        List<GenericRecord> rows = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        PartLoop.run(units, new UnitRenderer(context), PartLoop.Mode.OVERLAPPED, 2, (unit, r) -> rows.addAll(r), () -> { });
        GpuStandIn.Usage usage = gpu.usage(start, System.nanoTime());

        assertEquals(List.of(4, 1, 4, 1), units.stream().map(WorkUnit::size).toList());
        List<Long> unetRows = new ArrayList<>();
        long vae = 0;
        long text = 0;
        for (GpuStandIn.Call call : gpu.calls()) {
            switch (call.role()) {
                case UNET -> unetRows.add(call.rows());
                case VAE_DECODER -> vae++;
                case TEXT_ENCODER -> text++;
            }
        }
        Collections.sort(unetRows);
        assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 4L, 4L, 4L, 4L, 4L, 4L, 4L, 4L), unetRows,
                "4 steps per unit, the unit's seeds as the rows of one call, no CFG");
        assertEquals(10, vae, "one VAE call per image");
        assertEquals(2L * units.size(), text, "both text encoders once per unit");
        assertEquals(16, usage.unetCalls());
        assertTrue(usage.busySeconds() > 0 && usage.unetSpanSeconds() <= usage.spanSeconds(), usage.toString());
        assertTrue(usage.idleShareBetweenUnet() >= 0 && usage.idleShareBetweenUnet() < 1, usage.toString());
        assertEquals(10, rows.size());
        for (GenericRecord row : rows) {
            assertEquals("ok", row.get("status").toString());
            ByteBuffer png = (ByteBuffer) ((GenericRecord) row.get("image")).get("bytes");
            byte[] bytes = new byte[png.remaining()];
            png.duplicate().get(bytes);
            assertEquals(picture, PngFile.decode(bytes), "the stand-in's VAE output is what the rows hold");
        }
    }

    @Test
    void theBenchmarkRunsItsThreeSetUpsOverTheGrid(@TempDir Path dir) {
        RunConfig config = config(dir);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        OverlapBench.Result result = OverlapBench.run(config, new OverlapBench.Options(1, 0.5, 0.2, 1, 2, null),
                dir.resolve("scratch"), new PrintStream(console));
        assertEquals(3, result.runs().size());
        assertEquals(List.of(OverlapBench.Setup.values()), result.runs().stream().map(OverlapBench.Run::setup).toList());
        for (OverlapBench.Run run : result.runs()) {
            assertEquals(20, run.images(), "the grid's 2 prompts x 5 seeds x 2 recipes");
            assertTrue(run.seconds() > 0 && run.cpuMsPerImage() > 0, run.toString());
        }
        String report = result.report();
        for (OverlapBench.Setup setup : OverlapBench.Setup.values()) {
            assertTrue(report.contains(setup.label), report);
        }
        assertTrue(report.contains("GPU idle between") && report.contains("CPU per 64x48 image"), report);
        assertTrue(console.toString(java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("warm-up"));
    }
}
