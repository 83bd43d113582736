package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A read-only view of one encoded protobuf message inside a (usually memory-mapped) buffer.
 *
 * <p>Parsing only records where each top-level field lies ({@link ProtoField}); values, nested
 * messages and byte payloads are read on demand, so a 2 GiB inline model is walked without copying
 * its tensors onto the heap. Unknown fields are kept as they are: a writer can copy any field's
 * exact encoding with {@link #encoded(ProtoField)}. Wire format: protobuf encoding guide
 * (protobuf.dev/programming-guides/encoding).
 */
final class ProtoMessage {

    private final ByteBuffer buffer;
    private final int start;
    private final int end;
    private final String source;
    private final List<ProtoField> fields;

    private ProtoMessage(ByteBuffer buffer, int start, int end, String source) {
        this.buffer = buffer;
        this.start = start;
        this.end = end;
        this.source = source;
        this.fields = Collections.unmodifiableList(parseFields());
    }

    /** Parses the message in {@code buffer[start, end)}; {@code source} names the file in errors. */
    static ProtoMessage parse(ByteBuffer buffer, int start, int end, String source) {
        return new ProtoMessage(buffer, start, end, source);
    }

    static ProtoMessage parse(ByteBuffer buffer, String source) {
        return parse(buffer, 0, buffer.limit(), source);
    }

    List<ProtoField> fields() {
        return fields;
    }

    /** Every occurrence of field {@code number}, in encoding order. */
    List<ProtoField> all(int number) {
        List<ProtoField> out = new ArrayList<>();
        for (ProtoField f : fields) {
            if (f.number() == number) {
                out.add(f);
            }
        }
        return out;
    }

    /** The last occurrence of a singular field (protobuf: the last one wins), or null. */
    ProtoField last(int number) {
        ProtoField found = null;
        for (ProtoField f : fields) {
            if (f.number() == number) {
                found = f;
            }
        }
        return found;
    }

    boolean has(int number) {
        return last(number) != null;
    }

    String source() {
        return source;
    }

    long varint(ProtoField f) {
        requireWireType(f, ProtoField.VARINT);
        return new Cursor(f.valueStart()).varint();
    }

    /** A singular varint field, or {@code absent} when the field is not there. */
    long varint(int number, long absent) {
        ProtoField f = last(number);
        return f == null ? absent : varint(f);
    }

    int fixed32(ProtoField f) {
        requireWireType(f, ProtoField.FIXED32);
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(f.valueStart());
    }

    String string(ProtoField f) {
        return new String(bytes(f), StandardCharsets.UTF_8);
    }

    /** A singular string field, or "" when absent (proto2 default). */
    String string(int number) {
        ProtoField f = last(number);
        return f == null ? "" : string(f);
    }

    /** The value bytes of a length-delimited field, copied. Only for small fields. */
    byte[] bytes(ProtoField f) {
        requireWireType(f, ProtoField.LENGTH_DELIMITED);
        byte[] out = new byte[f.valueLength()];
        buffer.get(f.valueStart(), out);
        return out;
    }

    /**
     * The value of a field as a little-endian view without copying: the payload of a
     * length-delimited field, or the 4 or 8 value bytes of a fixed field.
     */
    ByteBuffer value(ProtoField f) {
        return buffer.slice(f.valueStart(), f.valueLength()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The complete encoding of a field occurrence (tag, length prefix, value), without copying. */
    ByteBuffer encoded(ProtoField f) {
        return buffer.slice(f.start(), f.end() - f.start());
    }

    ProtoMessage message(ProtoField f) {
        requireWireType(f, ProtoField.LENGTH_DELIMITED);
        return new ProtoMessage(buffer, f.valueStart(), f.end(), source);
    }

    /** Whether two field occurrences (of this and another message) have the same encoding. */
    boolean sameEncoding(ProtoField mine, ProtoMessage other, ProtoField theirs) {
        return encoded(mine).equals(other.encoded(theirs));
    }

    /** Decodes the varints of a packed (or single unpacked) varint field occurrence. */
    long[] packedVarints(ProtoField f) {
        if (f.wireType() == ProtoField.VARINT) {
            return new long[] {varint(f)};
        }
        requireWireType(f, ProtoField.LENGTH_DELIMITED);
        Cursor c = new Cursor(f.valueStart());
        List<Long> values = new ArrayList<>();
        while (c.pos < f.end()) {
            values.add(c.varint());
        }
        if (c.pos != f.end()) {
            throw malformed("a packed varint field #" + f.number() + " runs past its end");
        }
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private void requireWireType(ProtoField f, int wireType) {
        if (f.wireType() != wireType) {
            throw malformed("field #" + f.number() + " has wire type " + f.wireType() + ", expected " + wireType);
        }
    }

    IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException(source + " is not a valid ONNX protobuf file: " + what);
    }

    private List<ProtoField> parseFields() {
        List<ProtoField> out = new ArrayList<>();
        Cursor c = new Cursor(start);
        while (c.pos < end) {
            int tagStart = c.pos;
            long tag = c.varint();
            int number = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (number <= 0 || (tag >>> 3) > 0x1FFF_FFFFL) {
                throw malformed("bad field number " + (tag >>> 3) + " at byte " + tagStart);
            }
            int valueStart = c.pos;
            switch (wireType) {
                case ProtoField.VARINT -> c.varint();
                case ProtoField.FIXED64 -> c.skip(8);
                case ProtoField.FIXED32 -> c.skip(4);
                case ProtoField.LENGTH_DELIMITED -> {
                    long length = c.varint();
                    if (length < 0 || length > end - c.pos) {
                        throw malformed("field #" + number + " at byte " + tagStart + " claims " + length
                                + " bytes, only " + (end - c.pos) + " are left");
                    }
                    valueStart = c.pos;
                    c.skip((int) length);
                }
                case ProtoField.START_GROUP -> c.skipGroup(number);
                default -> throw malformed("unexpected wire type " + wireType + " at byte " + tagStart);
            }
            out.add(new ProtoField(number, wireType, tagStart, valueStart, c.pos));
        }
        return out;
    }

    /** A read position inside this message's bounds. */
    private final class Cursor {
        int pos;

        Cursor(int pos) {
            this.pos = pos;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw malformed("a varint runs past the end of its message");
                }
                byte b = buffer.get(pos++);
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw malformed("a varint is longer than 10 bytes");
        }

        void skip(int n) {
            if (n > end - pos) {
                throw malformed("a field runs past the end of its message");
            }
            pos += n;
        }

        /** Skips a (deprecated) group up to its matching END_GROUP tag, nested groups included. */
        void skipGroup(int number) {
            while (true) {
                if (pos >= end) {
                    throw malformed("group #" + number + " is not closed");
                }
                long tag = varint();
                int wireType = (int) (tag & 7);
                switch (wireType) {
                    case ProtoField.VARINT -> varint();
                    case ProtoField.FIXED64 -> skip(8);
                    case ProtoField.FIXED32 -> skip(4);
                    case ProtoField.LENGTH_DELIMITED -> {
                        long length = varint();
                        if (length < 0 || length > end - pos) {
                            throw malformed("a field inside group #" + number + " runs past its end");
                        }
                        skip((int) length);
                    }
                    case ProtoField.START_GROUP -> skipGroup((int) (tag >>> 3));
                    case ProtoField.END_GROUP -> {
                        if ((tag >>> 3) != number) {
                            throw malformed("group #" + number + " is closed by #" + (tag >>> 3));
                        }
                        return;
                    }
                    default -> throw malformed("unexpected wire type " + wireType + " inside group #" + number);
                }
            }
        }
    }
}
