package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OrtException;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.rng.TorchGenerator;
import io.seedgrid.udf.sampler.Sampler;
import io.seedgrid.udf.sampler.SamplerState;
import io.seedgrid.udf.sampler.Timeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SDXL text-to-image over ONNX Runtime, step for step what diffusers' StableDiffusionXLPipeline computes
 * (see the README, "Numerics and reproducibility"): encode the prompt with both text encoders, draw each image's
 * initial latent from its own torch-compatible generator, run the plan's phases (each a model, a
 * sampler and a guidance setting over a range of the timeline) with all seeds of the batch in one UNet
 * call per step, then decode each latent with the last phase's VAE.
 *
 * <p>An image depends only on its prompt, seed and plan: never on its batch, partition or executor.
 */
public final class SdxlPipeline {

    private SdxlPipeline() {
    }

    /** Renders one image per seed. Throws on model or runtime errors; NaN/Inf images come back with status NAN. */
    public static List<GeneratedImage> generate(GenerationRequest request, long[] seeds, PipelineObserver observer)
            throws OrtException {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("no seeds to render");
        }
        long begin = System.nanoTime();
        StageClock clock = new StageClock();
        SamplingPlan plan = request.plan();
        try (PlanSessions sessions = new PlanSessions(plan)) {
            return generate(request, seeds, observer, sessions, clock, begin);
        }
    }

    private static List<GeneratedImage> generate(GenerationRequest request, long[] seeds, PipelineObserver observer,
                                                 PlanSessions sessions, StageClock clock, long begin) throws OrtException {
        SamplingPlan plan = request.plan();
        int images = seeds.length;
        long[] latentDims = latentDims(request, plan);
        int latentSize = Math.toIntExact(latentDims[0] * latentDims[1] * latentDims[2]);

        long textStart = System.nanoTime();
        PromptEncodings encodings = new PromptEncodings(request, clock, sessions);
        clock.addText(System.nanoTime() - textStart);

        long unetStart = System.nanoTime();
        TorchGenerator[] generators = new TorchGenerator[images];
        float[][] x = new float[images][];
        Phase first = plan.phases().get(0);
        Timeline firstTimeline = first.sampler().timeline(first.model().noiseSchedule(), plan.schedule());
        float initSigma = (float) first.sampler().initNoiseSigma(firstTimeline, plan.startStep());
        for (int b = 0; b < images; b++) {
            generators[b] = new TorchGenerator(seeds[b]);
            x[b] = generators[b].randn(latentSize);
            for (int k = 0; k < latentSize; k++) {
                x[b][k] *= initSigma; // diffusers: latents * scheduler.init_noise_sigma
            }
        }
        TorchGenerator[] annealingNoise = new TorchGenerator[images];
        if (plan.phases().stream().anyMatch(p -> p.annealing() != null)) {
            for (int b = 0; b < images; b++) {
                annealingNoise[b] = ConditionAnnealing.noiseFor(seeds[b]);
            }
        }
        float[][] out = new float[images][latentSize];
        SamplerState[] states = null;
        Phase previous = null;
        Timeline previousTimeline = null;
        for (Phase phase : plan.phases()) {
            Sampler sampler = phase.sampler();
            Timeline timeline = phase == first ? firstTimeline : sampler.timeline(phase.model().noiseSchedule(), plan.schedule());
            if (previous != null && previous.sampler().space() != sampler.space()) {
                // Hand-off between parameterisations at the noise level of the latent entering this phase.
                double sigma = previousTimeline.sigma(phase.from());
                for (float[] latent : x) {
                    previous.sampler().space().convertInPlace(latent, sampler.space(), sigma);
                }
            }
            if (previous == null || !previous.sampler().equals(sampler)) {
                states = new SamplerState[images];
                for (int b = 0; b < images; b++) {
                    states[b] = sampler.newState();
                }
            }
            Conditioning[] positive = encodings.positive(phase, images);
            try (UnetRunner runner = new UnetRunner(sessions.of(phase.model()).unet(), latentDims, request.width(), request.height(),
                    positive, encodings.negative(phase, images))) {
                for (int i = phase.from(); i < phase.to(); i++) {
                    if (phase.annealing() != null) {
                        double t = timeline.timestep(i) / (phase.model().noiseSchedule().trainSteps() - 1);
                        Conditioning[] annealed = new Conditioning[images];
                        for (int b = 0; b < images; b++) {
                            annealed[b] = phase.annealing().apply(positive[b], t, annealingNoise[b]);
                        }
                        runner.setPositive(annealed);
                    }
                    boolean guided = phase.guidance().activeAt(timeline.sigma(i));
                    observer.unetCall(phase.model(), i, timeline.timestep(i), guided ? 2 * images : images, guided);
                    runner.predict(x, sampler.modelInputScale(timeline, i), timeline.timestep(i),
                            guided ? phase.guidance().scale() : Double.NaN, out, clock);
                    for (int b = 0; b < images; b++) {
                        sampler.step(timeline, i, x[b], out[b], states[b], generators[b]);
                    }
                    observer.afterStep(i, x);
                }
            }
            previous = phase;
            previousTimeline = timeline;
        }
        clock.addUnet(System.nanoTime() - unetStart);

        long vaeStart = System.nanoTime();
        SdxlModel decoderModel = plan.last().model();
        RgbImage[] decoded = new RgbImage[images];
        String[] problems = new String[images];
        try (VaeDecoder vae = new VaeDecoder(sessions.of(decoderModel).vaeDecoder(), decoderModel.vaeScalingFactor(),
                latentDims)) {
            for (int b = 0; b < images; b++) {
                if (!VaeDecoder.finite(x[b])) {
                    problems[b] = "NaN or Inf in the latents after sampling";
                    continue;
                }
                decoded[b] = VaeDecoder.toImage(vae.decode(x[b], clock), request.width(), request.height());
                if (decoded[b] == null) {
                    problems[b] = "NaN or Inf in the VAE output (an fp16 VAE overflows: use an fp32 or fp16-fix VAE)";
                }
            }
        }
        clock.addVae(System.nanoTime() - vaeStart);

        Timings timings = clock.perImage(images, System.nanoTime() - begin);
        EncodedPrompt prompt = encodings.prompt(first);
        List<GeneratedImage> results = new ArrayList<>(images);
        for (int b = 0; b < images; b++) {
            boolean ok = problems[b] == null;
            results.add(new GeneratedImage(seeds[b], ok ? ImageStatus.OK : ImageStatus.NAN, ok ? "" : problems[b],
                    decoded[b], x[b], prompt.tokens(), prompt.truncated(), timings));
        }
        return results;
    }

    private static long[] latentDims(GenerationRequest request, SamplingPlan plan) {
        int channels = plan.phases().get(0).model().signature().latentChannels();
        for (Phase phase : plan.phases()) {
            if (phase.model().signature().latentChannels() != channels) {
                throw new IllegalArgumentException("the plan's models use latents of different channel counts");
            }
        }
        return new long[] {channels, request.height() / 8, request.width() / 8};
    }

    /**
     * The prompt and negative prompts of a request, encoded once per set of text encoders and padded so
     * that a phase's negative and positive inputs have the same number of 77-token chunks.
     */
    private static final class PromptEncodings {
        private final GenerationRequest request;
        private final StageClock clock;
        private final PlanSessions sessions;
        private final Map<Path, EncodedPrompt> prompts = new HashMap<>();
        private final Map<List<Object>, EncodedPrompt> negatives = new HashMap<>();
        private final Map<Phase, Conditioning[]> pairs = new HashMap<>();

        PromptEncodings(GenerationRequest request, StageClock clock, PlanSessions sessions) throws OrtException {
            this.request = request;
            this.clock = clock;
            this.sessions = sessions;
            for (Phase phase : request.plan().phases()) {
                pair(phase);
            }
        }

        EncodedPrompt prompt(Phase phase) {
            return prompts.get(phase.model().textEncoderIdentity());
        }

        Conditioning[] positive(Phase phase, int images) {
            return repeat(pairs.get(phase)[0], images);
        }

        Conditioning[] negative(Phase phase, int images) {
            Conditioning negative = pairs.get(phase)[1];
            return negative == null ? null : repeat(negative, images);
        }

        private void pair(Phase phase) throws OrtException {
            SdxlModel model = phase.model();
            EncodedPrompt prompt = prompts.get(model.textEncoderIdentity());
            if (prompt == null) {
                prompt = sessions.of(model).textEncoders().encode(request.prompt(), request.longPrompt(), clock);
                prompts.put(model.textEncoderIdentity(), prompt);
            }
            Conditioning positive = prompt.conditioning();
            Conditioning negative = null;
            if (phase.guidance().enabled()) {
                String text = phase.guidance().negativePrompt();
                if (text.isEmpty()) {
                    negative = positive.zerosLike(); // SDXL's force_zeros_for_empty_prompt
                } else {
                    negative = encode(model, text).conditioning();
                    int length = Math.max(positive.length(), negative.length());
                    Conditioning filler = encode(model, "").conditioning();
                    positive = positive.padTo(length, filler);
                    negative = negative.padTo(length, filler);
                }
            }
            pairs.put(phase, new Conditioning[] {positive, negative});
        }

        private EncodedPrompt encode(SdxlModel model, String text) throws OrtException {
            List<Object> key = List.of(model.textEncoderIdentity(), text);
            EncodedPrompt encoded = negatives.get(key);
            if (encoded == null) {
                encoded = sessions.of(model).textEncoders().encode(text, request.longPrompt(), clock);
                negatives.put(key, encoded);
            }
            return encoded;
        }

        private static Conditioning[] repeat(Conditioning c, int images) {
            Conditioning[] rows = new Conditioning[images];
            java.util.Arrays.fill(rows, c);
            return rows;
        }
    }

    /** The sessions of every model a plan uses, held for one batch. */
    private static final class PlanSessions implements AutoCloseable {
        private final Map<SdxlModel, SdxlModel.Sessions> open = new HashMap<>();

        PlanSessions(SamplingPlan plan) {
            try {
                for (Phase phase : plan.phases()) {
                    if (!open.containsKey(phase.model())) {
                        open.put(phase.model(), phase.model().open());
                    }
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        SdxlModel.Sessions of(SdxlModel model) {
            return open.get(model);
        }

        @Override
        public void close() {
            open.values().forEach(SdxlModel.Sessions::close);
        }
    }
}
