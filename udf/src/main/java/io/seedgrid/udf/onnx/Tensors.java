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
 * Conversions between the pipeline's float32 arrays and ONNX tensors of whatever element type a model
 * declares. All copies are bulk copies into direct buffers, which ONNX Runtime reads without another copy.
 */
public final class Tensors {

    private Tensors() {
    }

    /** A direct, native-order float buffer of {@code n} elements. */
    public static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A direct, native-order short buffer of {@code n} elements (FLOAT16 storage). */
    public static ShortBuffer directShorts(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Short.BYTES)).order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    /** A tensor of {@code spec}'s floating type (FLOAT or FLOAT16) holding {@code values}. */
    public static OnnxTensor floats(TensorSpec spec, float[] values, long[] shape) throws OrtException {
        OrtEnvironment env = OrtRuntime.environment();
        if (spec.type() == OnnxJavaType.FLOAT) {
            FloatBuffer buffer = directFloats(values.length);
            buffer.put(values).flip();
            return OnnxTensor.createTensor(env, buffer, shape);
        }
        if (spec.type() == OnnxJavaType.FLOAT16) {
            ShortBuffer buffer = directShorts(values.length);
            for (float v : values) {
                buffer.put(Half.fromFloat(v));
            }
            buffer.flip();
            return OnnxTensor.createTensor(env, buffer, shape, OnnxJavaType.FLOAT16);
        }
        throw new ModelSignatureException("input '" + spec.name() + "' must be FLOAT or FLOAT16, the model declares " + spec.type());
    }

    /**
     * A tensor of {@code spec}'s type holding integer-valued {@code values}: INT32, INT64, or a floating
     * type (newer exports take the timestep as a float).
     */
    public static OnnxTensor numbers(TensorSpec spec, double[] values, long[] shape) throws OrtException {
        OrtEnvironment env = OrtRuntime.environment();
        switch (spec.type()) {
            case INT64 -> {
                LongBuffer buffer = ByteBuffer.allocateDirect(values.length * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
                for (double v : values) {
                    buffer.put((long) v); // truncation, as numpy's astype(int64) in Optimum's pipelines
                }
                buffer.flip();
                return OnnxTensor.createTensor(env, buffer, shape);
            }
            case INT32 -> {
                IntBuffer buffer = ByteBuffer.allocateDirect(values.length * Integer.BYTES).order(ByteOrder.nativeOrder()).asIntBuffer();
                for (double v : values) {
                    buffer.put((int) v);
                }
                buffer.flip();
                return OnnxTensor.createTensor(env, buffer, shape);
            }
            case FLOAT, FLOAT16 -> {
                float[] asFloats = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    asFloats[i] = (float) values[i];
                }
                return floats(spec, asFloats, shape);
            }
            default -> throw new ModelSignatureException("input '" + spec.name() + "' has unsupported type " + spec.type());
        }
    }

    /** A tensor of {@code spec}'s integer type (INT32 or INT64) holding token ids. */
    public static OnnxTensor ids(TensorSpec spec, int[] ids, long[] shape) throws OrtException {
        if (spec.type() != OnnxJavaType.INT32 && spec.type() != OnnxJavaType.INT64) {
            throw new ModelSignatureException("input '" + spec.name() + "' must be INT32 or INT64, the model declares " + spec.type());
        }
        double[] values = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = ids[i];
        }
        return numbers(spec, values, shape);
    }

    /** The values of a FLOAT or FLOAT16 tensor as float32, in one bulk read. */
    public static float[] toFloats(OnnxTensor tensor) {
        OnnxJavaType type = tensor.getInfo().type;
        if (type == OnnxJavaType.FLOAT) {
            FloatBuffer buffer = tensor.getFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer buffer = tensor.getShortBuffer();
            float[] out = new float[buffer.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Half.toFloat(buffer.get(i));
            }
            return out;
        }
        throw new ModelSignatureException("expected a FLOAT or FLOAT16 output, got " + type);
    }
}
