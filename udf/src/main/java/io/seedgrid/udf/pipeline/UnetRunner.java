package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtException;
import io.seedgrid.udf.onnx.DirectTensor;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.TensorSpec;
import io.seedgrid.udf.onnx.Tensors;

import java.util.Map;

/**
 * Runs one UNet over a batch of B images, step after step, allocating nothing per step: the latent
 * input and the output are direct tensors rewritten in place, and the conditioning tensors are built
 * once per layout — {@code B} rows when guidance is off, {@code 2B} rows {@code [negative; positive]}
 * when it is on. Guidance combines {@code u + g·(c − u)} in float32, as diffusers.
 */
final class UnetRunner implements AutoCloseable {

    private final ModelCalls calls;
    private final OnnxModel unet;
    private final int images;
    private final int latentSize;
    private final long[] latentDims;
    private final float[] timeIds;
    private Conditioning[] positive;
    private final Conditioning[] negative;
    private final float[] scaled;
    private final float[] uncond;
    private Layout plain;
    private Layout guided;

    /**
     * @param latentDims {@code [channels, h, w]} of one latent
     * @param positive   per image conditioning
     * @param negative   per image unconditional input, or null when the phase never guides
     */
    UnetRunner(ModelCalls calls, OnnxModel unet, long[] latentDims, int width, int height, Conditioning[] positive,
               Conditioning[] negative) {
        this.calls = calls;
        this.unet = unet;
        this.images = positive.length;
        this.latentDims = latentDims.clone();
        this.latentSize = Math.toIntExact(latentDims[0] * latentDims[1] * latentDims[2]);
        // SDXL micro-conditioning: original size, crop top-left (0, 0), target size.
        this.timeIds = new float[] {height, width, 0, 0, height, width};
        this.positive = positive.clone();
        this.negative = negative == null ? null : negative.clone();
        this.scaled = new float[latentSize];
        this.uncond = new float[latentSize];
    }

    /** Replaces the per-image conditioning (CADS anneals it step by step); the tensors are rebuilt on next use. */
    void setPositive(Conditioning[] rows) {
        positive = rows.clone();
        close();
        plain = null;
        guided = null;
    }

    /**
     * Predicts the model output for every image and writes the guided result into {@code out}.
     *
     * @param x        the latents, one array per image (read only)
     * @param scale    the sampler's model input scale for this step
     * @param guidance the scale g when guiding at this step, or NaN for no guidance
     */
    void predict(float[][] x, float scale, double timestep, double guidance, float[][] out, StageClock clock)
            throws OrtException {
        boolean guide = !Double.isNaN(guidance);
        Layout layout = layout(guide);
        int rows = layout.rows;
        for (int r = 0; r < rows; r++) {
            float[] src = x[r % images];
            for (int k = 0; k < latentSize; k++) {
                scaled[k] = src[k] * scale;
            }
            layout.sample.put(r * latentSize, scaled);
        }
        layout.timestep.fill(timestep);
        long[] start = clock.startOnnx();
        calls.runInto(ModelCalls.Role.UNET, unet, layout.feeds, layout.pinned);
        clock.endOnnx(start);
        float g = (float) guidance;
        for (int b = 0; b < images; b++) {
            if (guide) {
                layout.output.get(b * latentSize, uncond);
                layout.output.get((images + b) * latentSize, out[b]);
                float[] o = out[b];
                for (int k = 0; k < latentSize; k++) {
                    o[k] = uncond[k] + g * (o[k] - uncond[k]);
                }
            } else {
                layout.output.get(b * latentSize, out[b]);
            }
        }
    }

    /** Builds the tensors of a row layout now (guided: {@code 2B} rows), so that the first call of it finds them ready. */
    void allocate(boolean guide) throws OrtException {
        layout(guide);
    }

    private Layout layout(boolean guide) throws OrtException {
        if (guide) {
            if (negative == null) {
                throw new IllegalStateException("guidance requested in a phase built without a negative input");
            }
            if (guided == null) {
                Conditioning[] rows = new Conditioning[2 * images];
                System.arraycopy(negative, 0, rows, 0, images);
                System.arraycopy(positive, 0, rows, images, images);
                guided = new Layout(rows);
            }
            return guided;
        }
        if (plain == null) {
            plain = new Layout(positive);
        }
        return plain;
    }

    @Override
    public void close() {
        if (plain != null) {
            plain.close();
        }
        if (guided != null) {
            guided.close();
        }
    }

    /** The tensors of one row layout. */
    private final class Layout implements AutoCloseable {
        final int rows;
        final DirectTensor sample;
        final DirectTensor output;
        final DirectTensor timestep;
        final OnnxTensor states;
        final OnnxTensor pooled;
        final OnnxTensor ids;
        final Map<String, OnnxTensorLike> feeds;
        final Map<String, OnnxTensor> pinned;

        Layout(Conditioning[] conditioning) throws OrtException {
            rows = conditioning.length;
            long[] shape = {rows, latentDims[0], latentDims[1], latentDims[2]};
            sample = DirectTensor.allocate(unet.input(SdxlSignature.SAMPLE).type(), shape, "the UNet's 'sample'");
            output = DirectTensor.allocate(unet.output(SdxlSignature.UNET_OUT).type(), shape, "the UNet's 'out_sample'");
            // One value per row ([batch], older exports) or one for all (a scalar, newer exports).
            TensorSpec t = unet.input(SdxlSignature.TIMESTEP);
            timestep = DirectTensor.allocate(t.type(), t.rank() == 0 ? new long[0] : new long[] {rows}, "the UNet's 'timestep'");
            int length = conditioning[0].length();
            int width = conditioning[0].width();
            int pooledWidth = conditioning[0].pooled().length;
            float[] allStates = new float[rows * length * width];
            float[] allPooled = new float[rows * pooledWidth];
            float[] allIds = new float[rows * 6];
            for (int r = 0; r < rows; r++) {
                Conditioning c = conditioning[r];
                if (c.length() != length || c.width() != width) {
                    throw new IllegalStateException("rows of one UNet call must share the token layout");
                }
                System.arraycopy(c.tokenStates(), 0, allStates, r * length * width, length * width);
                System.arraycopy(c.pooled(), 0, allPooled, r * pooledWidth, pooledWidth);
                System.arraycopy(timeIds, 0, allIds, r * 6, 6);
            }
            states = Tensors.floats(unet.input(SdxlSignature.STATES), allStates, new long[] {rows, length, width});
            pooled = Tensors.floats(unet.input(SdxlSignature.POOLED), allPooled, new long[] {rows, pooledWidth});
            ids = Tensors.floats(unet.input(SdxlSignature.TIME_IDS), allIds, new long[] {rows, 6});
            feeds = Map.of(SdxlSignature.SAMPLE, sample.tensor(), SdxlSignature.TIMESTEP, timestep.tensor(),
                    SdxlSignature.STATES, states, SdxlSignature.POOLED, pooled, SdxlSignature.TIME_IDS, ids);
            pinned = Map.of(SdxlSignature.UNET_OUT, output.tensor());
        }

        @Override
        public void close() {
            sample.close();
            output.close();
            timestep.close();
            states.close();
            pooled.close();
            ids.close();
        }
    }
}
