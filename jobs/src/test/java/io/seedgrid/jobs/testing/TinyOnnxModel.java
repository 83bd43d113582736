package io.seedgrid.jobs.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A four-element ONNX model, {@code y = x * scale + bias}, written as ModelProto bytes so that tests can
 * run ONNX Runtime without model files. Field numbers follow onnx/onnx.proto (IR version 8, opset 13);
 * {@code /usr/bin/python3 -c "import onnx; onnx.checker.check_model(onnx.load('m.onnx'))"} accepts the
 * bytes.
 */
public final class TinyOnnxModel {

    /** The constant factor. */
    public static final float SCALE = 2.0f;
    /** The constant added after scaling. */
    public static final float[] BIAS = {0.5f, -1.0f, 3.0f, 10.0f};
    public static final String INPUT = "x";
    public static final String OUTPUT = "y";

    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT

    private TinyOnnxModel() {
    }

    /** What the model computes, for checking its output. */
    public static float[] expected(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * SCALE + BIAS[i];
        }
        return y;
    }

    /** The serialized ModelProto. */
    public static byte[] bytes() {
        Proto graph = new Proto()
                .message(1, node("scale_x", "Mul", new String[] {INPUT, "scale"}, "scaled"))
                .message(1, node("add_bias", "Add", new String[] {"scaled", "bias"}, OUTPUT))
                .string(2, "tiny_affine")
                .message(5, tensor("scale", new long[0], new float[] {SCALE}))
                .message(5, tensor("bias", new long[] {BIAS.length}, BIAS))
                .message(11, valueInfo(INPUT, BIAS.length))
                .message(12, valueInfo(OUTPUT, BIAS.length));
        return new Proto()
                .varint(1, 8) // ir_version
                .string(2, "seedgrid-tests") // producer_name
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13)) // opset_import: default domain, 13
                .toByteArray();
    }

    private static Proto node(String name, String op, String[] inputs, String output) {
        Proto node = new Proto();
        for (String in : inputs) {
            node.string(1, in);
        }
        return node.string(2, output).string(3, name).string(4, op);
    }

    private static Proto tensor(String name, long[] dims, float[] values) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        ByteBuffer packed = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        packed.asFloatBuffer().put(values);
        return t.varint(2, FLOAT).bytes(4, packed.array()).string(8, name);
    }

    private static Proto valueInfo(String name, long length) {
        Proto shape = new Proto().message(1, new Proto().varint(1, length));
        Proto tensorType = new Proto().varint(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Protocol buffers wire format: varint (type 0) and length-delimited (type 2) fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            writeVarint(((long) field << 3) | 0);
            writeVarint(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            writeVarint(((long) field << 3) | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
