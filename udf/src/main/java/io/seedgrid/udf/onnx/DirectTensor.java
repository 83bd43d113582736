package io.seedgrid.udf.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.seedgrid.udf.tensor.Half;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * A tensor over a direct buffer that seedgrid owns and rewrites in place: an input fed step after step
 * (the latents, the timestep), or a pinned output ONNX Runtime writes into. FLOAT and FLOAT16 tensors
 * exchange float32 arrays with bulk copies (FLOAT16 converts element by element, unavoidably); INT64,
 * INT32 and the float types can be {@link #fill filled} with one number.
 */
public final class DirectTensor implements AutoCloseable {

    private final OnnxTensor tensor;
    private final OnnxJavaType type;
    private final FloatBuffer floats;
    private final ShortBuffer halves;
    private final LongBuffer longs;
    private final IntBuffer ints;
    private final int size;

    private DirectTensor(OnnxTensor tensor, OnnxJavaType type, FloatBuffer floats, ShortBuffer halves, LongBuffer longs,
                         IntBuffer ints, int size) {
        this.tensor = tensor;
        this.type = type;
        this.floats = floats;
        this.halves = halves;
        this.longs = longs;
        this.ints = ints;
        this.size = size;
    }

    /** A zero-filled tensor of {@code type} (FLOAT, FLOAT16, INT64 or INT32) and {@code shape}. */
    public static DirectTensor allocate(OnnxJavaType type, long[] shape, String what) throws OrtException {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        int size = Math.toIntExact(count);
        OrtEnvironment env = OrtRuntime.environment();
        switch (type) {
            case FLOAT -> {
                FloatBuffer buffer = Tensors.directFloats(size);
                return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape), type, buffer, null, null, null, size);
            }
            case FLOAT16 -> {
                ShortBuffer buffer = Tensors.directShorts(size);
                return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape, OnnxJavaType.FLOAT16), type, null, buffer,
                        null, null, size);
            }
            case INT64 -> {
                LongBuffer buffer = ByteBuffer.allocateDirect(size * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
                return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape), type, null, null, buffer, null, size);
            }
            case INT32 -> {
                IntBuffer buffer = ByteBuffer.allocateDirect(size * Integer.BYTES).order(ByteOrder.nativeOrder()).asIntBuffer();
                return new DirectTensor(OnnxTensor.createTensor(env, buffer, shape), type, null, null, null, buffer, size);
            }
            default -> throw new ModelSignatureException(what + " must be FLOAT, FLOAT16, INT64 or INT32, the model declares " + type);
        }
    }

    public OnnxTensor tensor() {
        return tensor;
    }

    public int size() {
        return size;
    }

    /** Writes {@code values} at element {@code offset} (FLOAT and FLOAT16 tensors). */
    public void put(int offset, float[] values) {
        if (floats != null) {
            floats.put(offset, values);
        } else if (halves != null) {
            for (int i = 0; i < values.length; i++) {
                halves.put(offset + i, Half.fromFloat(values[i]));
            }
        } else {
            throw new IllegalStateException("put(float[]) on a " + type + " tensor");
        }
    }

    /** Reads {@code dst.length} values from element {@code offset} (FLOAT and FLOAT16 tensors). */
    public void get(int offset, float[] dst) {
        if (floats != null) {
            floats.get(offset, dst);
        } else if (halves != null) {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = Half.toFloat(halves.get(offset + i));
            }
        } else {
            throw new IllegalStateException("get(float[]) on a " + type + " tensor");
        }
    }

    /**
     * Sets every element to {@code value}: truncated to an integer for INT64/INT32, as numpy's
     * {@code astype} in Optimum's pipelines, rounded to the float type otherwise.
     */
    public void fill(double value) {
        for (int i = 0; i < size; i++) {
            switch (type) {
                case FLOAT -> floats.put(i, (float) value);
                case FLOAT16 -> halves.put(i, Half.fromDouble(value));
                case INT64 -> longs.put(i, (long) value);
                default -> ints.put(i, (int) value);
            }
        }
    }

    @Override
    public void close() {
        tensor.close();
    }
}
