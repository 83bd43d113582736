package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one protobuf message in a growable heap array. Nested messages are built bottom-up with
 * their own writer and added with {@link #message(int, ProtoWriter)}. Only graph structure goes
 * through here; tensor payloads of a blend are streamed to the external data file instead.
 */
final class ProtoWriter {

    private byte[] bytes = new byte[64];
    private int size;

    ProtoWriter varint(int number, long value) {
        tag(number, ProtoField.VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter string(int number, String value) {
        return bytes(number, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int number, byte[] value) {
        tag(number, ProtoField.LENGTH_DELIMITED);
        rawVarint(value.length);
        append(value, 0, value.length);
        return this;
    }

    /** A length-delimited field whose payload is the remaining bytes of {@code value}. */
    ProtoWriter bytes(int number, ByteBuffer value) {
        tag(number, ProtoField.LENGTH_DELIMITED);
        rawVarint(value.remaining());
        appendBuffer(value.duplicate());
        return this;
    }

    ProtoWriter message(int number, ProtoWriter nested) {
        tag(number, ProtoField.LENGTH_DELIMITED);
        rawVarint(nested.size);
        append(nested.bytes, 0, nested.size);
        return this;
    }

    /** Copies a field occurrence of {@code source} byte for byte (how unknown fields survive). */
    ProtoWriter copy(ProtoMessage source, ProtoField field) {
        appendBuffer(source.encoded(field));
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void tag(int number, int wireType) {
        rawVarint(((long) number << 3) | wireType);
    }

    private void rawVarint(long value) {
        ensure(10);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
    }

    private void append(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, bytes, size, length);
        size += length;
    }

    private void appendBuffer(ByteBuffer src) {
        int length = src.remaining();
        ensure(length);
        src.get(bytes, size, length);
        size += length;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a protobuf message would exceed 2 GiB");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * bytes.length)));
        }
    }
}
