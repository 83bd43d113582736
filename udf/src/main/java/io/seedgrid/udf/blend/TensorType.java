package io.seedgrid.udf.blend;

/**
 * ONNX tensor element types (TensorProto.DataType in onnx/onnx.proto): how many bytes an element
 * takes in {@code raw_data} or external data, and which typed field holds it otherwise.
 */
enum TensorType {
    FLOAT(1, 4, OnnxProto.Tensor.FLOAT_DATA),
    UINT8(2, 1, OnnxProto.Tensor.INT32_DATA),
    INT8(3, 1, OnnxProto.Tensor.INT32_DATA),
    UINT16(4, 2, OnnxProto.Tensor.INT32_DATA),
    INT16(5, 2, OnnxProto.Tensor.INT32_DATA),
    INT32(6, 4, OnnxProto.Tensor.INT32_DATA),
    INT64(7, 8, OnnxProto.Tensor.INT64_DATA),
    STRING(8, 0, OnnxProto.Tensor.STRING_DATA),
    BOOL(9, 1, OnnxProto.Tensor.INT32_DATA),
    /** IEEE 754 binary16; in int32_data as its 16 bits. */
    FLOAT16(10, 2, OnnxProto.Tensor.INT32_DATA),
    DOUBLE(11, 8, OnnxProto.Tensor.DOUBLE_DATA),
    UINT32(12, 4, OnnxProto.Tensor.UINT64_DATA),
    UINT64(13, 8, OnnxProto.Tensor.UINT64_DATA),
    COMPLEX64(14, 8, OnnxProto.Tensor.FLOAT_DATA),
    COMPLEX128(15, 16, OnnxProto.Tensor.DOUBLE_DATA),
    /** bfloat16, the upper half of a float32; in int32_data as its 16 bits. */
    BFLOAT16(16, 2, OnnxProto.Tensor.INT32_DATA),
    FLOAT8E4M3FN(17, 1, OnnxProto.Tensor.INT32_DATA),
    FLOAT8E4M3FNUZ(18, 1, OnnxProto.Tensor.INT32_DATA),
    FLOAT8E5M2(19, 1, OnnxProto.Tensor.INT32_DATA),
    FLOAT8E5M2FNUZ(20, 1, OnnxProto.Tensor.INT32_DATA);

    private final int code;
    private final int elementBytes;
    private final int typedField;

    TensorType(int code, int elementBytes, int typedField) {
        this.code = code;
        this.elementBytes = elementBytes;
        this.typedField = typedField;
    }

    /** The type for an ONNX data_type code, or null for one this class does not know (INT4, ...). */
    static TensorType ofCode(int code) {
        for (TensorType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** A readable name for any data_type code, known or not. */
    static String describe(int code) {
        TensorType t = ofCode(code);
        return t == null ? "data type " + code : t.name();
    }

    /** Bytes per element in raw_data or external data (0 for STRING, which has no raw form). */
    int elementBytes() {
        return elementBytes;
    }

    /** The TensorProto field that holds the values when raw_data is not used. */
    int typedField() {
        return typedField;
    }

    /** Whether a blend interpolates this type; every other type must be equal in both models. */
    boolean blended() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }
}
