package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OrtException;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.onnx.DirectTensor;
import io.seedgrid.udf.onnx.OnnxModel;

import java.util.Map;

/**
 * The VAE decoder: {@code sample = decoder(latents / scaling_factor)}, then diffusers' post-processing
 * {@code round(clamp(sample/2 + 0.5, 0, 1)·255)} (numpy rounds half to even). Decodes one image per
 * call (diffusers' VAE slicing), which keeps memory flat at 1024² and makes every image independent of
 * its batch; input and output are direct tensors reused for every image of a batch. A latent or image
 * with NaN or Inf yields no image.
 */
final class VaeDecoder implements AutoCloseable {

    private final OnnxModel decoder;
    private final float scalingFactor;
    private final DirectTensor latent;
    private final DirectTensor sample;
    private final Map<String, ai.onnxruntime.OnnxTensor> feeds;
    private final Map<String, ai.onnxruntime.OnnxTensor> pinned;
    private final float[] scaled;
    private final float[] pixels;

    /** A decoder for latents of {@code latentDims = [channels, h, w]}. */
    VaeDecoder(OnnxModel decoder, double scalingFactor, long[] latentDims) throws OrtException {
        this.decoder = decoder;
        this.scalingFactor = (float) scalingFactor;
        long[] in = {1, latentDims[0], latentDims[1], latentDims[2]};
        long[] out = {1, 3, latentDims[1] * 8, latentDims[2] * 8};
        this.latent = DirectTensor.allocate(decoder.input(SdxlSignature.LATENT).type(), in, "the VAE's 'latent_sample'");
        this.sample = DirectTensor.allocate(decoder.output(SdxlSignature.IMAGE).type(), out, "the VAE's 'sample'");
        this.feeds = Map.of(SdxlSignature.LATENT, latent.tensor());
        this.pinned = Map.of(SdxlSignature.IMAGE, sample.tensor());
        this.scaled = new float[latent.size()];
        this.pixels = new float[sample.size()];
    }

    /** The decoder's float output for one latent, as {@code [3, 8h, 8w]} (a buffer reused by the next call). */
    float[] decode(float[] x, StageClock clock) throws OrtException {
        for (int i = 0; i < x.length; i++) {
            scaled[i] = x[i] / scalingFactor; // diffusers: latents / vae.config.scaling_factor, in float32
        }
        latent.put(0, scaled);
        long[] start = clock.startOnnx();
        decoder.runInto(feeds, pinned);
        clock.endOnnx(start);
        sample.get(0, pixels);
        return pixels;
    }

    /**
     * diffusers' post-processing of a decoded {@code [3, H, W]} sample to 8-bit RGB:
     * {@code round(clamp(x/2 + 0.5, 0, 1)·255)} in float32, rounding half to even as numpy's {@code round}.
     * Returns null when the sample holds NaN or Inf (checked in the same pass).
     */
    static RgbImage toImage(float[] sample, int width, int height) {
        int plane = width * height;
        if (sample.length != 3 * plane) {
            throw new IllegalStateException("the VAE returned " + sample.length + " values for a " + width + "x" + height + " image");
        }
        byte[] rgb = new byte[3 * plane];
        boolean finite = true;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float x = sample[c * plane + p];
                finite &= Math.abs(x) <= Float.MAX_VALUE;
                float v = x * 0.5f + 0.5f; // x / 2 exactly
                v = v < 0f ? 0f : v > 1f ? 1f : v;
                rgb[3 * p + c] = (byte) roundHalfEven(v * 255f);
            }
        }
        return finite ? RgbImage.wrap(width, height, rgb) : null;
    }

    /**
     * Math.rint for 0 ≤ x ≤ 255 without the trip through double: x + 0.5 is exact in float there (the
     * ulp is at most 2^-16), so a tie is exactly when x + 0.5 is a whole number; an odd one goes down.
     */
    static int roundHalfEven(float x) {
        int r = (int) (x + 0.5f);
        return r - x == 0.5f && (r & 1) == 1 ? r - 1 : r;
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
        sample.close();
    }
}
