package io.seedgrid.udf.blend;

/**
 * One field occurrence inside an encoded protobuf message: its field number, wire type, and where
 * its tag starts, its value starts and the occurrence ends (absolute indexes into the message's
 * buffer). For a length-delimited field the value starts after the length prefix.
 */
record ProtoField(int number, int wireType, int start, int valueStart, int end) {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    int valueLength() {
        return end - valueStart;
    }
}
