package io.seedgrid.udf.metrics;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text embeddings from the text half of a {@code clip} model: already-tokenized input ids (length
 * 77: bos, tokens, eos, padding; the caller tokenizes with the model's {@code tokenizer/}) through the
 * ONNX text encoder, L2-normalised. The id dtype (int32 or int64) is read from the session.
 */
public final class TextEmbedder {
    /** CLIP's context length. */
    public static final int CONTEXT = 77;

    private final TextEncoderSpec spec;
    private final OrtSession session;
    private final boolean int64;
    private final String label;

    private TextEmbedder(TextEncoderSpec spec, OrtSession session, boolean int64, String label) {
        this.spec = spec;
        this.session = session;
        this.int64 = int64;
        this.label = label;
    }

    /** Reads a {@code clip} declaration in {@code dir} and checks its text half against {@code session}. */
    public static TextEmbedder load(Path dir, OrtSession session) throws OrtException {
        MetricModelSpec spec = MetricModelSpec.read(dir);
        if (!(spec instanceof ClipSpec clip)) {
            throw new IllegalArgumentException(dir + " holds a '" + spec.type() + "' metric model, not a CLIP model");
        }
        return of(clip.text(), session);
    }

    /** Checks input ids [B,77] int32/int64 and output [B,D] float32 against {@code session}. */
    public static TextEmbedder of(TextEncoderSpec spec, OrtSession session) throws OrtException {
        String label = "CLIP text model " + spec.model();
        TensorInfo in = OnnxChecks.input(session, spec.input(), label);
        String what = "input '" + spec.input() + "' [B,77]";
        OnnxChecks.requireType(in, label, what, OnnxJavaType.INT32, OnnxJavaType.INT64);
        OnnxChecks.requireShape(in, 2, label, what);
        OnnxChecks.requireDim(in, 1, CONTEXT, label, what);
        TensorInfo out = OnnxChecks.output(session, spec.output(), label);
        OnnxChecks.requireType(out, label, "output '" + spec.output() + "'", OnnxJavaType.FLOAT);
        OnnxChecks.requireShape(out, 2, label, "output '" + spec.output() + "' [B,D]");
        return new TextEmbedder(spec, session, in.type == OnnxJavaType.INT64, label);
    }

    /** The L2-normalised embedding of one tokenized text (77 ids). */
    public float[] embed(int[] inputIds) throws OrtException {
        return embedAll(List.of(inputIds)).get(0);
    }

    /** Embeddings of several tokenized texts, run as one batch. */
    public List<float[]> embedAll(List<int[]> inputIds) throws OrtException {
        int batch = inputIds.size();
        if (batch == 0) {
            throw new IllegalArgumentException("no texts to embed");
        }
        int[] flat = new int[batch * CONTEXT];
        for (int b = 0; b < batch; b++) {
            int[] ids = inputIds.get(b);
            if (ids.length != CONTEXT) {
                throw new IllegalArgumentException("CLIP input ids must have length " + CONTEXT + " (padded), text " + b
                        + " has " + ids.length);
            }
            System.arraycopy(ids, 0, flat, b * CONTEXT, CONTEXT);
        }
        OrtEnvironment env = io.seedgrid.udf.onnx.OrtRuntime.environment();
        long[] shape = {batch, CONTEXT};
        try (OnnxTensor input = int64 ? OnnxTensor.createTensor(env, LongBuffer.wrap(toLongs(flat)), shape)
                : OnnxTensor.createTensor(env, IntBuffer.wrap(flat), shape);
             OrtSession.Result result = io.seedgrid.udf.onnx.OrtCalls.run(session, Map.of(spec.input(), input), Set.of(spec.output()))) {
            OnnxValue value = result.get(spec.output()).orElseThrow(() -> new IllegalArgumentException(label
                    + ": the session returned no '" + spec.output() + "'"));
            long[] outShape = ((OnnxTensor) value).getInfo().getShape();
            if (outShape.length != 2 || outShape[0] != batch) {
                throw new IllegalArgumentException(label + ": output '" + spec.output() + "' came back with shape "
                        + java.util.Arrays.toString(outShape) + ", expected [" + batch + ", D]");
            }
            float[] all = OnnxChecks.floats(value, label, spec.output());
            int dim = (int) outShape[1];
            List<float[]> out = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                out.add(Embeddings.normalised(java.util.Arrays.copyOfRange(all, b * dim, (b + 1) * dim),
                        label + " output " + b));
            }
            return out;
        }
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
