package io.seedgrid.udf.metrics;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/** Checks of a declared input/output against an ONNX session, and bulk tensor reads. */
final class OnnxChecks {
    private OnnxChecks() {
    }

    static TensorInfo input(OrtSession session, String name, String model) throws OrtException {
        return tensor(session.getInputInfo(), name, model, "input");
    }

    static TensorInfo output(OrtSession session, String name, String model) throws OrtException {
        return tensor(session.getOutputInfo(), name, model, "output");
    }

    private static TensorInfo tensor(Map<String, NodeInfo> nodes, String name, String model, String kind) {
        NodeInfo node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException(model + ": the ONNX session has no " + kind + " '" + name
                    + "' (its " + kind + "s: " + nodes.keySet() + ")");
        }
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new IllegalArgumentException(model + ": ONNX " + kind + " '" + name + "' is not a tensor");
        }
        return info;
    }

    static void requireShape(TensorInfo info, int rank, String model, String what) {
        if (info.getShape().length != rank) {
            throw new IllegalArgumentException(model + ": " + what + " must have rank " + rank + ", the ONNX model has "
                    + Arrays.toString(info.getShape()));
        }
    }

    static void requireType(TensorInfo info, String model, String what, OnnxJavaType... allowed) {
        for (OnnxJavaType t : allowed) {
            if (info.type == t) {
                return;
            }
        }
        throw new IllegalArgumentException(model + ": " + what + " must be " + Arrays.toString(allowed)
                + ", the ONNX model has " + info.type);
    }

    /** Fails when axis {@code axis} is static (> 0) and differs from {@code expected}. */
    static void requireDim(TensorInfo info, int axis, long expected, String model, String what) {
        long d = info.getShape()[axis];
        if (d > 0 && d != expected) {
            throw new IllegalArgumentException(model + ": " + what + " has " + d + " at axis " + axis
                    + " in the ONNX model, expected " + expected);
        }
    }

    /** The float contents and shape of an output value (bulk copy). */
    static float[] floats(OnnxValue value, String model, String name) throws OrtException {
        if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException(model + ": output '" + name + "' is not a float32 tensor");
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
