package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OrtException;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.onnx.DirectTensor;
import io.seedgrid.udf.onnx.OnnxModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The VAE decoder: {@code sample = decoder(latents / scaling_factor)}, then diffusers' post-processing
 * {@code round(clamp(sample/2 + 0.5, 0, 1)·255)} (numpy rounds half to even). Decodes one image per
 * call (diffusers' VAE slicing), which keeps memory flat at 1024² and makes every image independent of
 * its batch; the input and output are direct tensors reused for every image of a batch. A latent or image
 * with NaN or Inf yields no image.
 *
 * <p>Each decoded image's conversion to 8-bit (a few milliseconds at 1024² that the device would otherwise
 * wait for) can run on another thread while the decoder works on the next image: the decoder then writes
 * into a second output tensor, and waits for a tensor's conversion before writing into it again. Closing the
 * decoder does not wait for conversions: they read the tensors' Java buffers, which outlive the tensors.
 */
final class VaeDecoder implements AutoCloseable {

    static final String LATENT_PROBLEM = "NaN or Inf in the latents after sampling";
    static final String IMAGE_PROBLEM = "NaN or Inf in the VAE output (an fp16 VAE overflows: use an fp32 or fp16-fix VAE)";

    /** At most this many output tensors: one being written by the decoder, one being converted. */
    private static final int MAX_SLOTS = 2;

    private final ModelCalls calls;
    private final OnnxModel decoder;
    private final float scalingFactor;
    private final long[] outShape;
    private final DirectTensor latent;
    private final Map<String, ai.onnxruntime.OnnxTensor> feeds;
    private final float[] scaled;
    private final List<Slot> slots = new ArrayList<>();
    private long submitted;

    /** One output tensor, its float copy and the conversion that reads it. */
    private static final class Slot implements AutoCloseable {
        final DirectTensor sample;
        final Map<String, ai.onnxruntime.OnnxTensor> pinned;
        final float[] pixels;
        CompletableFuture<Void> conversion;
        long order;

        Slot(OnnxModel decoder, long[] shape) throws OrtException {
            sample = DirectTensor.allocate(decoder.output(SdxlSignature.IMAGE).type(), shape, "the VAE's 'sample'");
            pinned = Map.of(SdxlSignature.IMAGE, sample.tensor());
            pixels = new float[sample.size()];
        }

        /** Waits for the slot's conversion (interruptibly); rethrows what failed in it. */
        void await() {
            if (conversion == null) {
                return;
            }
            try {
                conversion.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while an image converted to 8-bit", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                conversion = null;
            }
        }

        @Override
        public void close() {
            sample.close();
        }
    }

    /** A decoder for latents of {@code latentDims = [channels, h, w]}. */
    VaeDecoder(ModelCalls calls, OnnxModel decoder, double scalingFactor, long[] latentDims) throws OrtException {
        this.calls = calls;
        this.decoder = decoder;
        this.scalingFactor = (float) scalingFactor;
        long[] in = {1, latentDims[0], latentDims[1], latentDims[2]};
        this.outShape = new long[] {1, 3, latentDims[1] * 8, latentDims[2] * 8};
        this.latent = DirectTensor.allocate(decoder.input(SdxlSignature.LATENT).type(), in, "the VAE's 'latent_sample'");
        this.feeds = Map.of(SdxlSignature.LATENT, latent.tensor());
        this.scaled = new float[latent.size()];
    }

    /** Allocates the output tensors now (at most two), so that decoding finds them ready. */
    void reserve(int count) throws OrtException {
        while (slots.size() < Math.min(count, MAX_SLOTS)) {
            slots.add(new Slot(decoder, outShape));
        }
    }

    /**
     * Decodes every latent of {@code x} into {@code images[b]}, or says in {@code problems[b]} why there is no
     * image. Conversions to 8-bit run on {@code convert} ({@code Runnable::run}: on this thread, in turn); their
     * CPU time on another thread is added to {@code clock}. Returns after the last decoder call: the last
     * conversions may still run ({@link #awaitConversions}).
     */
    void decodeAll(float[][] x, int width, int height, RgbImage[] images, String[] problems, StageClock clock,
                   Executor convert) throws OrtException {
        Thread caller = Thread.currentThread();
        for (int b = 0; b < x.length; b++) {
            if (!finite(x[b])) {
                problems[b] = LATENT_PROBLEM;
                continue;
            }
            for (int i = 0; i < x[b].length; i++) {
                scaled[i] = x[b][i] / scalingFactor; // diffusers: latents / vae.config.scaling_factor, in float32
            }
            latent.put(0, scaled);
            Slot slot = freeSlot();
            long[] start = clock.startOnnx();
            calls.runInto(ModelCalls.Role.VAE_DECODER, decoder, feeds, slot.pinned);
            clock.endOnnx(start);
            int image = b;
            slot.order = submitted++;
            slot.conversion = CompletableFuture.runAsync(() -> {
                long cpu = StageClock.cpuNow();
                slot.sample.get(0, slot.pixels);
                images[image] = toImage(slot.pixels, width, height);
                if (images[image] == null) {
                    problems[image] = IMAGE_PROBLEM;
                }
                if (Thread.currentThread() != caller) {
                    clock.addCpu(StageClock.cpuNow() - cpu);
                }
            }, convert);
        }
    }

    /** A slot the decoder may write into: a free one, a new one, or the oldest once its conversion is done. */
    private Slot freeSlot() throws OrtException {
        for (Slot slot : slots) {
            if (slot.conversion == null || slot.conversion.isDone()) {
                slot.await();
                return slot;
            }
        }
        if (slots.size() < MAX_SLOTS) {
            Slot slot = new Slot(decoder, outShape);
            slots.add(slot);
            return slot;
        }
        Slot oldest = slots.stream().min(Comparator.comparingLong(s -> s.order)).orElseThrow();
        oldest.await();
        return oldest;
    }

    /** Waits for every conversion; rethrows what failed in one. */
    void awaitConversions() {
        for (Slot slot : slots) {
            slot.await();
        }
    }

    /**
     * diffusers' post-processing of a decoded {@code [3, H, W]} sample to interleaved 8-bit RGB
     * ({@link PixelLevels}). Returns null when the sample holds NaN or Inf.
     */
    static RgbImage toImage(float[] sample, int width, int height) {
        int plane = width * height;
        if (sample.length != 3 * plane) {
            throw new IllegalStateException("the VAE returned " + sample.length + " values for a " + width + "x" + height + " image");
        }
        byte[] planes = new byte[3 * plane];
        if (!PixelLevels.of(sample, planes)) {
            return null;
        }
        byte[] rgb = new byte[3 * plane];
        for (int p = 0, q = 0; p < plane; p++, q += 3) {
            rgb[q] = planes[p];
            rgb[q + 1] = planes[plane + p];
            rgb[q + 2] = planes[2 * plane + p];
        }
        return RgbImage.wrap(width, height, rgb);
    }

    /** True when every value is finite. */
    static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        latent.close();
        slots.forEach(Slot::close);
    }
}
