package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The blend formula W = W_a + α·(W_b − W_a), elementwise over one chunk of little-endian values.
 *
 * <p>Each element is widened exactly to double, combined in double arithmetic in that order
 * (subtract, multiply, add), and rounded once to its own type: float32 by Java's narrowing cast,
 * FLOAT16 and BFLOAT16 by {@link Float16} (ties to even). This is what numpy gives for
 * {@code (a64 + alpha * (b64 - a64)).astype(dtype)}, the reference in tools/reference/blend.
 */
final class WeightInterpolation {

    private final double alpha;
    private float[] floatsA = new float[0];
    private float[] floatsB = new float[0];
    private short[] shortsA = new short[0];
    private short[] shortsB = new short[0];
    private double[] doublesA = new double[0];
    private double[] doublesB = new double[0];
    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    WeightInterpolation(double alpha) {
        this.alpha = alpha;
    }

    /** Blends the remaining bytes of {@code a} and {@code b} (equal lengths); the result is valid until the next call. */
    ByteBuffer blend(TensorType type, ByteBuffer a, ByteBuffer b) {
        int bytes = a.remaining();
        if (b.remaining() != bytes) {
            throw new IllegalArgumentException("chunks of " + bytes + " and " + b.remaining() + " bytes");
        }
        if (out.capacity() < bytes) {
            out = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        out.clear().limit(bytes);
        switch (type) {
            case FLOAT -> blendFloats(a, b, bytes / 4);
            case DOUBLE -> blendDoubles(a, b, bytes / 8);
            case FLOAT16, BFLOAT16 -> blendShorts(type, a, b, bytes / 2);
            default -> throw new IllegalArgumentException(type + " tensors are not blended");
        }
        return out;
    }

    private void blendFloats(ByteBuffer a, ByteBuffer b, int n) {
        if (floatsA.length < n) {
            floatsA = new float[n];
            floatsB = new float[n];
        }
        float[] x = floatsA;
        float[] y = floatsB;
        a.asFloatBuffer().get(x, 0, n);
        b.asFloatBuffer().get(y, 0, n);
        for (int i = 0; i < n; i++) {
            double wa = x[i];
            x[i] = (float) (wa + alpha * (y[i] - wa));
        }
        out.asFloatBuffer().put(x, 0, n);
    }

    private void blendDoubles(ByteBuffer a, ByteBuffer b, int n) {
        if (doublesA.length < n) {
            doublesA = new double[n];
            doublesB = new double[n];
        }
        double[] x = doublesA;
        double[] y = doublesB;
        a.asDoubleBuffer().get(x, 0, n);
        b.asDoubleBuffer().get(y, 0, n);
        for (int i = 0; i < n; i++) {
            x[i] = x[i] + alpha * (y[i] - x[i]);
        }
        out.asDoubleBuffer().put(x, 0, n);
    }

    private void blendShorts(TensorType type, ByteBuffer a, ByteBuffer b, int n) {
        if (shortsA.length < n) {
            shortsA = new short[n];
            shortsB = new short[n];
        }
        short[] x = shortsA;
        short[] y = shortsB;
        a.asShortBuffer().get(x, 0, n);
        b.asShortBuffer().get(y, 0, n);
        if (type == TensorType.FLOAT16) {
            for (int i = 0; i < n; i++) {
                double wa = Float16.halfToFloat(x[i]);
                x[i] = Float16.doubleToHalf(wa + alpha * (Float16.halfToFloat(y[i]) - wa));
            }
        } else {
            for (int i = 0; i < n; i++) {
                double wa = Float16.bfloat16ToFloat(x[i]);
                x[i] = Float16.doubleToBfloat16(wa + alpha * (Float16.bfloat16ToFloat(y[i]) - wa));
            }
        }
        out.asShortBuffer().put(x, 0, n);
    }
}
