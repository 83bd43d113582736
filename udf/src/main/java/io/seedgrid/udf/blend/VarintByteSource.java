package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Decodes {@link TensorStorage.Varints} into raw little-endian elements of the tensor's width
 * (truncating each varint to that width, as ONNX stores int8..int32, bool and 16-bit floats in
 * int32_data). Typed varint fields only appear in small tensors; large ones use raw_data.
 */
final class VarintByteSource implements ByteSource {

    private final List<ByteBuffer> segments;
    private final int width;
    private int segment;
    private ByteBuffer scratch;

    VarintByteSource(List<ByteBuffer> segments, int width) {
        this.segments = segments.stream().map(ByteBuffer::duplicate).toList();
        this.width = width;
    }

    @Override
    public ByteBuffer next(int n) {
        if (n % width != 0) {
            throw new IllegalArgumentException("chunk of " + n + " bytes is not whole elements of " + width);
        }
        if (scratch == null || scratch.capacity() < n) {
            scratch = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
        }
        scratch.clear().limit(n);
        while (scratch.hasRemaining()) {
            long v = nextVarint();
            switch (width) {
                case 1 -> scratch.put((byte) v);
                case 2 -> scratch.putShort((short) v);
                case 4 -> scratch.putInt((int) v);
                case 8 -> scratch.putLong(v);
                default -> throw new IllegalStateException("no varint element of width " + width);
            }
        }
        return scratch.flip();
    }

    /** Counts the varints in the segments: every varint ends with the one byte whose top bit is 0. */
    static long count(List<ByteBuffer> segments) {
        long count = 0;
        for (ByteBuffer s : segments) {
            for (int i = 0; i < s.limit(); i++) {
                if (s.get(i) >= 0) {
                    count++;
                }
            }
        }
        return count;
    }

    private long nextVarint() {
        while (segment < segments.size() && !segments.get(segment).hasRemaining()) {
            segment++;
        }
        if (segment >= segments.size()) {
            throw new IllegalStateException("a tensor's typed data ended early");
        }
        ByteBuffer s = segments.get(segment);
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = s.get();
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalStateException("a varint is longer than 10 bytes");
    }
}
