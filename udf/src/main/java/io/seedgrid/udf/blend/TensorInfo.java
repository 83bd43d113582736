package io.seedgrid.udf.blend;

import java.util.List;

/**
 * The header of one TensorProto: name, element type, shape, where its values are, and their size
 * in raw little-endian form ({@code byteLength}; -1 for STRING tensors, which have no raw form).
 */
record TensorInfo(String name, int dataType, List<Long> dims, TensorStorage storage, long byteLength,
                  ProtoMessage proto) {

    /** The element type, or null when this code is one the blend does not know. */
    TensorType type() {
        return TensorType.ofCode(dataType);
    }

    boolean blended() {
        TensorType t = type();
        return t != null && t.blended();
    }

    boolean isString() {
        return storage instanceof TensorStorage.Strings;
    }

    String describeType() {
        return TensorType.describe(dataType);
    }
}
