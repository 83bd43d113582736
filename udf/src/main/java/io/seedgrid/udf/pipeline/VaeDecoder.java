package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.onnx.ModelSignatureException;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.Tensors;

import java.util.Map;
import java.util.Set;

/**
 * The VAE decoder: {@code sample = decoder(latents / scaling_factor)}, then diffusers' post-processing
 * {@code round(clamp(sample/2 + 0.5, 0, 1)·255)} (numpy rounds half to even). Decodes one image per
 * call (diffusers' VAE slicing), which keeps memory flat at 1024² and makes every image independent of
 * its batch. A latent or image with NaN or Inf yields no image.
 */
final class VaeDecoder {

    private final OnnxModel decoder;
    private final float scalingFactor;

    VaeDecoder(OnnxModel decoder, double scalingFactor) {
        this.decoder = decoder;
        this.scalingFactor = (float) scalingFactor;
    }

    /** The decoder's float output for one latent {@code [channels, h, w]}, as {@code [3, 8h, 8w]}. */
    float[] decode(float[] latent, long[] latentDims, StageClock clock) throws OrtException {
        float[] input = new float[latent.length];
        for (int i = 0; i < latent.length; i++) {
            input[i] = latent[i] / scalingFactor; // diffusers: latents / vae.config.scaling_factor, in float32
        }
        long[] shape = {1, latentDims[0], latentDims[1], latentDims[2]};
        try (OnnxTensor in = Tensors.floats(decoder.input(SdxlSignature.LATENT), input, shape)) {
            long start = System.nanoTime();
            try (OrtSession.Result out = decoder.run(Map.of(SdxlSignature.LATENT, in), Set.of(SdxlSignature.IMAGE))) {
                clock.addOnnx(System.nanoTime() - start);
                OnnxTensor image = (OnnxTensor) out.get(0);
                long[] dims = image.getInfo().getShape();
                if (dims.length != 4 || dims[1] != 3) {
                    throw new ModelSignatureException(decoder.file() + " returned a " + java.util.Arrays.toString(dims)
                            + " sample, expected [1, 3, H, W]");
                }
                return Tensors.toFloats(image);
            }
        }
    }

    /** diffusers' post-processing of a decoded {@code [3, H, W]} sample to 8-bit RGB. */
    static RgbImage toImage(float[] sample, int width, int height) {
        int plane = width * height;
        if (sample.length != 3 * plane) {
            throw new IllegalStateException("the VAE returned " + sample.length + " values for a " + width + "x" + height + " image");
        }
        byte[] rgb = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = sample[c * plane + p] / 2f + 0.5f;
                v = Math.min(Math.max(v, 0f), 1f);
                rgb[p * 3 + c] = (byte) (int) Math.rint(v * 255f);
            }
        }
        return new RgbImage(width, height, rgb);
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
}
