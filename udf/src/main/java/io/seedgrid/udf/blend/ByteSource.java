package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a tensor's values in raw little-endian form, front to back, a chunk at a time, so that no
 * tensor is ever held whole on the heap.
 */
interface ByteSource {

    /**
     * The next {@code n} bytes as a little-endian buffer whose remaining bytes are exactly those.
     * The buffer is valid until the next call; it may be a view of a mapped file.
     */
    ByteBuffer next(int n) throws IOException;
}
