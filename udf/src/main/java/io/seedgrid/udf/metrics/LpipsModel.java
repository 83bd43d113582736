package io.seedgrid.udf.metrics;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An LPIPS declaration checked against its backbone session: the input and every declared layer
 * exist, are float32 of rank 4, and each layer's channel count equals its weight vector's length.
 * The session belongs to the caller (who caches and closes it).
 */
public final class LpipsModel {
    private final LpipsSpec spec;
    private final OrtSession session;
    private final String label;

    private LpipsModel(LpipsSpec spec, OrtSession session) {
        this.spec = spec;
        this.session = session;
        this.label = "LPIPS model " + spec.directory();
    }

    /**
     * Reads {@code dir/seedgrid-metric.json} and checks it against {@code session} (created from
     * {@code dir/model.onnx}).
     *
     * @throws IllegalArgumentException when the declaration is not LPIPS or does not fit the session
     */
    public static LpipsModel load(Path dir, OrtSession session) throws OrtException {
        MetricModelSpec spec = MetricModelSpec.read(dir);
        if (!(spec instanceof LpipsSpec lpips)) {
            throw new IllegalArgumentException(dir + " holds a '" + spec.type() + "' metric model, not LPIPS");
        }
        return of(lpips, session);
    }

    /** Checks {@code spec} against {@code session}. */
    public static LpipsModel of(LpipsSpec spec, OrtSession session) throws OrtException {
        String label = "LPIPS model " + spec.directory();
        TensorInfo in = OnnxChecks.input(session, spec.input(), label);
        OnnxChecks.requireType(in, label, "input '" + spec.input() + "'", OnnxJavaType.FLOAT);
        OnnxChecks.requireShape(in, 4, label, "input '" + spec.input() + "' [B,3,H,W]");
        OnnxChecks.requireDim(in, 1, 3, label, "input '" + spec.input() + "'");
        for (int l = 0; l < spec.layers().size(); l++) {
            String layer = spec.layers().get(l);
            TensorInfo out = OnnxChecks.output(session, layer, label);
            OnnxChecks.requireType(out, label, "layer '" + layer + "'", OnnxJavaType.FLOAT);
            OnnxChecks.requireShape(out, 4, label, "layer '" + layer + "' [B,C,H,W]");
            long channels = out.getShape()[1];
            if (channels > 0 && channels != spec.channels(l)) {
                throw new IllegalArgumentException(label + ": layer '" + layer + "' has " + channels
                        + " channels in the ONNX model but " + spec.channels(l) + " weights in " + MetricModelSpec.FILE);
            }
        }
        return new LpipsModel(spec, session);
    }

    public LpipsSpec spec() {
        return spec;
    }

    /** Activations of one layer for a batch: data in [B, C, H, W] order. */
    record Activation(float[] data, int batch, int channels, int height, int width) {
        int plane() {
            return height * width;
        }
    }

    /**
     * Runs the backbone on a batch of same-size images (each [3,H,W] in [-1,1], concatenated) and
     * returns one activation per declared layer.
     */
    List<Activation> run(float[] batchChw, int batch, int height, int width) throws OrtException {
        OrtEnvironment env = io.seedgrid.udf.onnx.OrtRuntime.environment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batchChw),
                new long[] {batch, 3, height, width});
             OrtSession.Result result = io.seedgrid.udf.onnx.OrtCalls.run(session, Map.of(spec.input(), input),
                     new LinkedHashSet<>(spec.layers()))) {
            List<Activation> out = new ArrayList<>();
            for (int l = 0; l < spec.layers().size(); l++) {
                String layer = spec.layers().get(l);
                Optional<OnnxValue> value = result.get(layer);
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(label + ": the session returned no '" + layer + "'");
                }
                long[] shape = ((OnnxTensor) value.get()).getInfo().getShape();
                if (shape.length != 4 || shape[0] != batch || shape[1] != spec.channels(l)) {
                    throw new IllegalArgumentException(label + ": layer '" + layer + "' came back with shape "
                            + java.util.Arrays.toString(shape) + ", expected [" + batch + ", " + spec.channels(l)
                            + ", H, W]");
                }
                out.add(new Activation(OnnxChecks.floats(value.get(), label, layer), batch, (int) shape[1],
                        (int) shape[2], (int) shape[3]));
            }
            return out;
        }
    }
}
