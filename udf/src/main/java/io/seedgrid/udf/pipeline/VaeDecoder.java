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
        sample.close();
    }
}
