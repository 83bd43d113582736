package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.sampler.Samplers;
import io.seedgrid.udf.sampler.ScheduleSpec;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdxlPipelineTest {

    private static final String PROMPT = "a red cube on a blue floor";

    private static GenerationRequest request(SdxlModel model, int steps, Guidance guidance, String prompt, LongPromptMode mode) {
        SamplingPlan plan = SamplingPlan.single(model, Samplers.byName("euler"), ScheduleSpec.of(steps, "normal"), guidance);
        return new GenerationRequest(prompt, 64, 64, plan, mode);
    }

    @Test
    void textEncodingMatchesTheReference() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        JsonNode prompts = Golden.json("golden/pipeline/text_encodings.json").get("prompts");
        for (String text : List.of(PROMPT, "blurry low quality", "A  Red cube")) {
            JsonNode want = prompts.get(text);
            EncodedPrompt encoded;
            try (SdxlModel.Sessions sessions = model.open()) {
                encoded = sessions.textEncoders().encode(text, LongPromptMode.TRUNCATE, new StageClock(), ModelCalls.ONNX);
            }
            float[] states = Golden.floats(want.get("token_states"));
            assertEquals(77, encoded.conditioning().length());
            assertEquals(80, encoded.conditioning().width());
            assertTrue(SdxlPipelineGoldenTest.relativeError(encoded.conditioning().tokenStates(), states) < 1e-5, text);
            double[] pooled = Golden.doubles(want.get("pooled"));
            float[] got = encoded.conditioning().pooled();
            assertEquals(pooled.length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(pooled[i], got[i], 1e-5, text + " pooled[" + i + "]");
            }
        }
    }

    @Test
    void anImageDoesNotDependOnItsBatch() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        GenerationRequest request = request(model, 4, Guidance.cfg(5, "blurry low quality"), PROMPT, LongPromptMode.TRUNCATE);
        long[] seeds = {0, 1, 42, -1L};
        List<GeneratedImage> together = SdxlPipeline.generate(request, seeds, PipelineObserver.NONE);
        for (int b = 0; b < seeds.length; b++) {
            GeneratedImage alone = SdxlPipeline.generate(request, new long[] {seeds[b]}, PipelineObserver.NONE).get(0);
            assertArrayEquals(alone.latents(), together.get(b).latents(), "seed " + seeds[b]);
            assertEquals(alone.image(), together.get(b).image());
        }
        assertNotEquals(together.get(0).image(), together.get(1).image());
    }

    @Test
    void stepsOnOtherThreadsGiveTheImagesOfOneThread() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        long[] seeds = {3, 1, 4, 1_000_000_007L};
        // LCM draws fresh noise after every step but the last; Euler ancestral with CFG after every step
        List<SamplingPlan> plans = List.of(
                SamplingPlan.single(model, Samplers.byName("lcm"), ScheduleSpec.explicit(999, 749, 499, 249), Guidance.off()),
                SamplingPlan.single(model, Samplers.byName("euler_ancestral"), ScheduleSpec.of(5, "karras"),
                        Guidance.cfg(4, "blurry low quality")));
        ExecutorService prepare = Executors.newSingleThreadExecutor();
        ExecutorService device = Executors.newSingleThreadExecutor();
        ExecutorService helper = Executors.newSingleThreadExecutor();
        try {
            for (SamplingPlan plan : plans) {
                GenerationRequest request = new GenerationRequest(PROMPT, 64, 64, plan, LongPromptMode.TRUNCATE);
                List<GeneratedImage> oneThread = SdxlPipeline.generate(request, seeds, PipelineObserver.NONE);
                SdxlPipeline.Batch batch = prepare.submit(() -> SdxlPipeline.prepare(request, seeds, ModelCalls.ONNX)).get();
                SdxlPipeline.Decoding decoding = device.submit(() -> batch.render(PipelineObserver.NONE, helper)).get();
                List<GeneratedImage> threads = decoding.images();
                for (int b = 0; b < seeds.length; b++) {
                    assertArrayEquals(oneThread.get(b).latents(), threads.get(b).latents(), "seed " + seeds[b]);
                    assertEquals(oneThread.get(b).image(), threads.get(b).image(), "seed " + seeds[b]);
                }
                assertThrows(IllegalStateException.class, () -> batch.render(PipelineObserver.NONE, Runnable::run));
            }
        } finally {
            prepare.shutdown();
            device.shutdown();
            helper.shutdown();
        }
    }

    @Test
    void aBatchClosedUnrenderedReleasesItsSessions() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        GenerationRequest request = request(model, 2, Guidance.off(), PROMPT, LongPromptMode.TRUNCATE);
        Path unet = model.directory().unet();
        try (SdxlPipeline.Batch batch = SdxlPipeline.prepare(request, new long[] {1}, ModelCalls.ONNX)) {
            SessionCache.closeIdle();
            assertTrue(SessionCache.isLoaded(unet, SessionSettings.cpu()), "a prepared batch holds its sessions");
        }
        SessionCache.closeIdle();
        assertFalse(SessionCache.isLoaded(unet, SessionSettings.cpu()), "closed, it holds none");
    }

    @Test
    void cfgBatchesNegativeAndPositiveRowsInOneCall() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        List<Integer> rows = new ArrayList<>();
        PipelineObserver observer = new PipelineObserver() {
            @Override
            public void unetCall(SdxlModel m, int step, double timestep, int r, boolean guided) {
                rows.add(guided ? r : -r);
            }
        };
        SdxlPipeline.generate(request(model, 3, Guidance.cfg(5, ""), PROMPT, LongPromptMode.TRUNCATE), new long[] {1, 2}, observer);
        assertEquals(List.of(4, 4, 4), rows);
        rows.clear();
        SdxlPipeline.generate(request(model, 3, Guidance.off(), PROMPT, LongPromptMode.TRUNCATE), new long[] {1, 2}, observer);
        assertEquals(List.of(-2, -2, -2), rows);
    }

    @Test
    void aModelWhoseWidthsDoNotFitIsRefusedWithTheNumbers() {
        ModelSignatureException e = assertThrows(ModelSignatureException.class, () -> TinyModels.load("broken-signature"));
        assertTrue(e.getMessage().contains("96") && e.getMessage().contains("32 + 48 = 80"), e.getMessage());
    }

    @Test
    void aUnetOnlyDirectoryBorrowsItsBase(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        Path unetOnly = TinyModels.dir("dmd2-unet-only");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ModelDirectory.open(unetOnly));
        assertTrue(missing.getMessage().contains("--base"), missing.getMessage());

        ModelDirectory borrowed = ModelDirectory.open(unetOnly, TinyModels.dir("fp32"));
        assertTrue(borrowed.borrowsBase());
        SdxlModel student = SdxlModel.load(borrowed, SessionSettings.cpu());
        SdxlModel base = TinyModels.load("fp32");
        GeneratedImage a = SdxlPipeline.generate(request(student, 4, Guidance.off(), PROMPT, LongPromptMode.TRUNCATE),
                new long[] {7}, PipelineObserver.NONE).get(0);
        GeneratedImage b = SdxlPipeline.generate(request(base, 4, Guidance.off(), PROMPT, LongPromptMode.TRUNCATE),
                new long[] {7}, PipelineObserver.NONE).get(0);
        assertNotEquals(a.image(), b.image());

        // The same borrowing, declared in the directory itself.
        Path copy = temp.resolve("dmd2");
        Files.createDirectories(copy.resolve("unet"));
        Files.copy(unetOnly.resolve("unet/model.onnx"), copy.resolve("unet/model.onnx"));
        Files.writeString(copy.resolve(ModelDirectory.BASE_FILE), "{\"base\": \"" + TinyModels.dir("fp32") + "\"}");
        assertEquals(TinyModels.dir("fp32").toAbsolutePath().normalize(), ModelDirectory.open(copy).baseRoot());
    }

    @Test
    void nonFiniteResultsAreMarkedAndNeverBecomeImages() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        GeneratedImage image = SdxlPipeline.generate(request(model, 4, Guidance.cfg(1e38, "blurry low quality"), PROMPT,
                LongPromptMode.TRUNCATE), new long[] {3}, PipelineObserver.NONE).get(0);
        assertEquals(ImageStatus.NAN, image.status());
        assertNull(image.image());
        assertFalse(image.message().isEmpty());
    }

    @Test
    void longPromptsAreTruncatedOrChunked() throws Exception {
        SdxlModel model = TinyModels.load("fp32");
        String longPrompt = (PROMPT + " ").repeat(14).strip(); // 98 tokens
        GeneratedImage truncated = SdxlPipeline.generate(request(model, 2, Guidance.cfg(5, "blurry low quality"), longPrompt,
                LongPromptMode.TRUNCATE), new long[] {5}, PipelineObserver.NONE).get(0);
        assertTrue(truncated.truncated());
        assertEquals(98, truncated.promptTokens());
        GeneratedImage chunked = SdxlPipeline.generate(request(model, 2, Guidance.cfg(5, "blurry low quality"), longPrompt,
                LongPromptMode.CHUNK), new long[] {5}, PipelineObserver.NONE).get(0);
        assertFalse(chunked.truncated());
        assertEquals(98, chunked.promptTokens());
        assertEquals(ImageStatus.OK, chunked.status());
        assertNotEquals(truncated.image(), chunked.image());

        EncodedPrompt encoded;
        try (SdxlModel.Sessions sessions = model.open()) {
            encoded = sessions.textEncoders().encode(longPrompt, LongPromptMode.CHUNK, new StageClock(), ModelCalls.ONNX);
        }
        assertEquals(154, encoded.conditioning().length());
    }

    @Test
    void badRequestsAreRefused() {
        SdxlModel model = TinyModels.load("fp32");
        SamplingPlan plan = SamplingPlan.single(model, Samplers.byName("euler"), ScheduleSpec.of(4, "normal"), Guidance.off());
        assertThrows(IllegalArgumentException.class, () -> new GenerationRequest(" ", 64, 64, plan, null));
        assertThrows(IllegalArgumentException.class, () -> new GenerationRequest(PROMPT, 60, 64, plan, null));
        assertThrows(IllegalArgumentException.class, () -> ModelDirectory.open(Path.of("no/such/model")));
    }
}
