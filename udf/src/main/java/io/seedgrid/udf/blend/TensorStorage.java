package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Where the values of one TensorProto live, in the forms ONNX allows. */
sealed interface TensorStorage {

    /**
     * Bytes already in raw little-endian layout inside model.onnx: {@code raw_data}, or the packed
     * (or unpacked) fixed-width fields {@code float_data} and {@code double_data}, whose encoding is
     * the same little-endian layout. Several segments when a field occurs more than once.
     */
    record Inline(List<ByteBuffer> segments) implements TensorStorage {
    }

    /**
     * Values in a varint field ({@code int32_data}, {@code int64_data}, {@code uint64_data}): each
     * value becomes {@code width} little-endian bytes (FLOAT16 and BFLOAT16 keep their 16 bits in
     * int32_data).
     */
    record Varints(List<ByteBuffer> segments, int width) implements TensorStorage {
    }

    /** {@code length} bytes at {@code offset} of an external data file (TensorProto.external_data). */
    record External(Path file, long offset, long length) implements TensorStorage {
    }

    /** A STRING tensor: its {@code string_data} fields, compared and copied as encoded. */
    record Strings() implements TensorStorage {
    }
}
