package io.seedgrid.udf.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;

/**
 * A model input or output as the session declares it: name, element type and shape (−1 or a symbolic
 * name for a dynamic axis). seedgrid reads these instead of assuming them, because exports differ
 * (int32 or int64 ids, int64 [B] or float scalar timesteps, FLOAT16 tensors in fp16 exports).
 */
public record TensorSpec(String name, OnnxJavaType type, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    static TensorSpec of(String name, NodeInfo info) {
        if (!(info.getInfo() instanceof TensorInfo tensor)) {
            throw new ModelSignatureException("'" + name + "' is not a tensor (" + info.getInfo() + ")");
        }
        return new TensorSpec(name, tensor.type, tensor.getShape());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of axis {@code axis}, or −1 when it is dynamic. */
    public long dim(int axis) {
        return shape[axis];
    }

    /** The size of the last axis, or −1 when it is dynamic. */
    public long lastDim() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** True for FLOAT and FLOAT16 tensors. */
    public boolean isFloatingPoint() {
        return type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16 || type == OnnxJavaType.DOUBLE
                || type == OnnxJavaType.BFLOAT16;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + type.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    /** Human form, e.g. {@code sample FLOAT16 [-1, 4, -1, -1]}. */
    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
