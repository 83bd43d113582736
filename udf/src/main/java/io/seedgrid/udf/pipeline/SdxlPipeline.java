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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * SDXL text-to-image over ONNX Runtime, step for step what diffusers' StableDiffusionXLPipeline computes
 * (see the README, "Numerics and reproducibility"): encode the prompt with both text encoders, draw each image's
 * initial latent from its own torch-compatible generator, run the plan's phases (each a model, a
 * sampler and a guidance setting over a range of the timeline) with all seeds of the batch in one UNet
 * call per step, then decode each latent with the last phase's VAE.
 *
 * <p>A batch runs in two steps that may run on different threads: {@link #prepare} (sessions, prompts, initial
 * latents: CPU work and the text encoders) and {@link Batch#render} (the UNet and VAE calls, the device's work), so
 * that a caller can prepare the next batch while the device renders this one. {@link #generate} runs both in turn.
 *
 * <p>An image depends only on its prompt, seed and plan: never on its batch, partition, executor or the
 * threads its steps ran on.
 */
public final class SdxlPipeline {

    private SdxlPipeline() {
    }

    /** Renders one image per seed. Throws on model or runtime errors; NaN/Inf images come back with status NAN. */
    public static List<GeneratedImage> generate(GenerationRequest request, long[] seeds, PipelineObserver observer)
            throws OrtException {
        try (Batch batch = prepare(request, seeds, ModelCalls.ONNX)) {
            return batch.render(observer, Runnable::run).images();
        }
    }

    /**
     * The first step of a batch: holds the sessions of every model of the plan, encodes the prompts, draws each
     * image's initial latent (and CADS noise) from its own generator and allocates the UNet's and VAE's tensors. The
     * result renders on any thread ({@link Batch#render}); until then it holds the sessions, so close it when it is
     * not rendered.
     */
    public static Batch prepare(GenerationRequest request, long[] seeds, ModelCalls calls) throws OrtException {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("no seeds to render");
        }
        StageClock clock = new StageClock();
        long[] begin = clock.beginStep();
        PlanSessions sessions = new PlanSessions(request.plan());
        Batch batch = null;
        try {
            batch = new Batch(request, seeds.clone(), calls, clock, sessions);
            batch.allocate();
            clock.endStep(begin);
            return batch;
        } catch (RuntimeException | OrtException | Error e) {
            if (batch != null) {
                batch.close();
            }
            sessions.close();
            throw e;
        }
    }

    /**
     * A batch between its steps: prepared ({@link SdxlPipeline#prepare}), then rendered ({@link #render}) once,
     * possibly on another thread (a part's loop prepares the next batch while the device renders this one), then its
     * images collected ({@link Decoding#images}), possibly on a third. Holds its models' sessions until rendered or
     * closed, and its VAE's tensors until its images are collected or it is closed.
     */
    public static final class Batch implements AutoCloseable {
        private final GenerationRequest request;
        private final long[] seeds;
        private final ModelCalls calls;
        private final StageClock clock;
        private final PlanSessions sessions;
        private final long[] latentDims;
        private final int latentSize;
        private final PromptEncodings encodings;
        private final Timeline[] timelines;
        private final TorchGenerator[] generators;
        private final TorchGenerator[] annealingNoise;
        private final float[][] x;
        private final UnetRunner[] runners;
        private float[][] out;
        private VaeDecoder vae;
        private boolean rendered;

        private Batch(GenerationRequest request, long[] seeds, ModelCalls calls, StageClock clock, PlanSessions sessions)
                throws OrtException {
            this.request = request;
            this.seeds = seeds;
            this.calls = calls;
            this.clock = clock;
            this.sessions = sessions;
            SamplingPlan plan = request.plan();
            int images = seeds.length;
            latentDims = latentDims(request, plan);
            latentSize = Math.toIntExact(latentDims[0] * latentDims[1] * latentDims[2]);

            long textStart = System.nanoTime();
            encodings = new PromptEncodings(request, clock, sessions, calls);
            clock.addText(System.nanoTime() - textStart);

            timelines = new Timeline[plan.phases().size()];
            for (int p = 0; p < timelines.length; p++) {
                Phase phase = plan.phases().get(p);
                timelines[p] = phase.sampler().timeline(phase.model().noiseSchedule(), plan.schedule());
            }
            generators = new TorchGenerator[images];
            x = new float[images][];
            Phase first = plan.phases().get(0);
            float initSigma = (float) first.sampler().initNoiseSigma(timelines[0], plan.startStep());
            for (int b = 0; b < images; b++) {
                generators[b] = new TorchGenerator(seeds[b]);
                x[b] = generators[b].randn(latentSize);
                for (int k = 0; k < latentSize; k++) {
                    x[b][k] *= initSigma; // diffusers: latents * scheduler.init_noise_sigma
                }
            }
            annealingNoise = new TorchGenerator[images];
            if (plan.phases().stream().anyMatch(p -> p.annealing() != null)) {
                for (int b = 0; b < images; b++) {
                    annealingNoise[b] = ConditionAnnealing.noiseFor(seeds[b]);
                }
            }
            runners = new UnetRunner[timelines.length];
        }

        /** The tensors render needs, built now so that the device does not wait for them. */
        private void allocate() throws OrtException {
            SamplingPlan plan = request.plan();
            int images = seeds.length;
            for (int p = 0; p < runners.length; p++) {
                Phase phase = plan.phases().get(p);
                runners[p] = new UnetRunner(calls, sessions.of(phase.model()).unet(), latentDims, request.width(),
                        request.height(), encodings.positive(phase, images), encodings.negative(phase, images));
                if (phase.annealing() == null) {   // CADS rebuilds its conditioning at every step
                    for (int i = phase.from(); i < phase.to(); i++) {
                        runners[p].allocate(phase.guidance().activeAt(timelines[p].sigma(i)));
                    }
                }
            }
            out = new float[images][latentSize];
            SdxlModel decoderModel = plan.last().model();
            vae = new VaeDecoder(calls, sessions.of(decoderModel).vaeDecoder(), decoderModel.vaeScalingFactor(), latentDims);
            vae.reserve(2);
        }

        /**
         * The second step: the plan's phases with all seeds in one UNet call per step, then the VAE, one image at a
         * time; the sessions are released after the last call. Small CPU jobs run on {@code helper} while the device
         * works: a step's fresh noise is drawn during its UNet call, each decoded image converts to 8-bit during the
         * next image's decoding ({@code Runnable::run}: on this thread, in turn). The images are the same either way.
         */
        public Decoding render(PipelineObserver observer, Executor helper) throws OrtException {
            synchronized (this) {
                if (rendered) {
                    throw new IllegalStateException("a batch renders once");
                }
                rendered = true;
            }
            long[] begin = clock.beginStep();
            SamplingPlan plan = request.plan();
            int images = seeds.length;
            Thread caller = Thread.currentThread();
            long unetStart = System.nanoTime();
            SamplerState[] states = null;
            Phase previous = null;
            Timeline previousTimeline = null;
            for (int p = 0; p < runners.length; p++) {
                Phase phase = plan.phases().get(p);
                Sampler sampler = phase.sampler();
                Timeline timeline = timelines[p];
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
                UnetRunner runner = runners[p];
                Conditioning[] positive = encodings.positive(phase, images);
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
                    CompletableFuture<Void> noise = sampler.drawsNoise(timeline, i)
                            ? CompletableFuture.runAsync(() -> drawNoiseAhead(caller), helper) : null;
                    runner.predict(x, sampler.modelInputScale(timeline, i), timeline.timestep(i),
                            guided ? phase.guidance().scale() : Double.NaN, out, clock);
                    join(noise);
                    for (int b = 0; b < images; b++) {
                        sampler.step(timeline, i, x[b], out[b], states[b], generators[b]);
                    }
                    observer.afterStep(i, x);
                }
                previous = phase;
                previousTimeline = timeline;
            }
            clock.addUnet(System.nanoTime() - unetStart);

            long vaeStart = System.nanoTime();
            RgbImage[] decoded = new RgbImage[images];
            String[] problems = new String[images];
            vae.decodeAll(x, request.width(), request.height(), decoded, problems, clock, helper);
            clock.addVae(System.nanoTime() - vaeStart);
            releaseDevice();
            clock.endStep(begin);
            return new Decoding(this, decoded, problems);
        }

        private void awaitConversions() {
            VaeDecoder decoder;
            synchronized (this) {
                decoder = vae;
            }
            if (decoder == null) {
                throw new IllegalStateException("the batch is closed");
            }
            decoder.awaitConversions();
        }

        /** Each image's noise for the coming sampler step, drawn from its generator now (on a helper thread). */
        private void drawNoiseAhead(Thread caller) {
            long cpu = StageClock.cpuNow();
            for (TorchGenerator generator : generators) {
                generator.drawAhead(latentSize);
            }
            if (Thread.currentThread() != caller) {
                clock.addCpu(StageClock.cpuNow() - cpu);
            }
        }

        /** The UNet's tensors and the sessions: not needed once the last call is done (idempotent). */
        private synchronized void releaseDevice() {
            for (int p = 0; p < runners.length; p++) {
                if (runners[p] != null) {
                    runners[p].close();
                    runners[p] = null;
                }
            }
            sessions.close();
        }

        /** Releases the batch's sessions and tensors (idempotent; does not wait for conversions still running). */
        @Override
        public synchronized void close() {
            releaseDevice();
            if (vae != null) {
                vae.close();
                vae = null;
            }
        }
    }

    /** A rendered batch whose last images may still be converting to 8-bit. */
    public static final class Decoding {
        private final Batch batch;
        private final RgbImage[] decoded;
        private final String[] problems;

        private Decoding(Batch batch, RgbImage[] decoded, String[] problems) {
            this.batch = batch;
            this.decoded = decoded;
            this.problems = problems;
        }

        /** The images, in seed order, once every conversion is done; then the batch's tensors are released. */
        public List<GeneratedImage> images() {
            try {
                batch.awaitConversions();
            } finally {
                batch.close();
            }
            Timings timings = batch.clock.perImage(batch.seeds.length);
            EncodedPrompt prompt = batch.encodings.prompt(batch.request.plan().phases().get(0));
            List<GeneratedImage> results = new ArrayList<>(decoded.length);
            for (int b = 0; b < decoded.length; b++) {
                boolean ok = problems[b] == null;
                results.add(new GeneratedImage(batch.seeds[b], ok ? ImageStatus.OK : ImageStatus.NAN, ok ? "" : problems[b],
                        decoded[b], batch.x[b], prompt.tokens(), prompt.truncated(), timings));
            }
            return results;
        }
    }

    private static void join(CompletableFuture<Void> job) {
        if (job == null) {
            return;
        }
        try {
            job.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
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
        private final ModelCalls calls;
        private final Map<Path, EncodedPrompt> prompts = new HashMap<>();
        private final Map<List<Object>, EncodedPrompt> negatives = new HashMap<>();
        private final Map<Phase, Conditioning[]> pairs = new HashMap<>();

        PromptEncodings(GenerationRequest request, StageClock clock, PlanSessions sessions, ModelCalls calls)
                throws OrtException {
            this.request = request;
            this.clock = clock;
            this.sessions = sessions;
            this.calls = calls;
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
                prompt = sessions.of(model).textEncoders().encode(request.prompt(), request.longPrompt(), clock, calls);
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
                encoded = sessions.of(model).textEncoders().encode(text, request.longPrompt(), clock, calls);
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
