package io.seedgrid.udf.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.seedgrid.udf.tensor.Half;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A FLOAT or FLOAT16 tensor over a direct buffer that seedgrid owns and rewrites in place: an input fed
 * step after step, or a pinned output ONNX Runtime writes into. Values cross in float32 with bulk copies
 * (FLOAT16 converts element by element, unavoidably).
 */
public final class DirectTensor implements AutoCloseable {

    private final OnnxTensor tensor;
    private final FloatBuffer floats;
    private final ShortBuffer halves;
    private final int size;

    private DirectTensor(OnnxTensor tensor, FloatBuffer floats, ShortBuffer halves, int size) {
        this.tensor = tensor;
        this.floats = floats;
        this.halves = halves;
        this.size = size;
    }

    /** A zero-filled tensor of {@code type} (FLOAT or FLOAT16) and {@code shape}. */
    public static DirectTensor allocate(OnnxJavaType type, long[] shape, String what) throws OrtException {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        int size = Math.toIntExact(count);
        OrtEnvironment env = OrtRuntime.environment();
        if (type == OnnxJavaType.FLOAT) {
            FloatBuffer buffer = Tensors.directFloats(size);
            return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape), buffer, null, size);
        }
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer buffer = Tensors.directShorts(size);
            return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape, OnnxJavaType.FLOAT16), null, buffer, size);
        }
        throw new ModelSignatureException(what + " must be FLOAT or FLOAT16, the model declares " + type);
    }

    public OnnxTensor tensor() {
        return tensor;
    }

    public int size() {
        return size;
    }

    /** Writes {@code values} at element {@code offset}. */
    public void put(int offset, float[] values) {
        if (floats != null) {
            floats.put(offset, values);
        } else {
            for (int i = 0; i < values.length; i++) {
                halves.put(offset + i, Half.fromFloat(values[i]));
            }
        }
    }

    /** Reads {@code dst.length} values from element {@code offset}. */
    public void get(int offset, float[] dst) {
        if (floats != null) {
            floats.get(offset, dst);
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = Half.toFloat(halves.get(offset + i));
            }
        }
    }

    @Override
    public void close() {
        tensor.close();
    }
}
