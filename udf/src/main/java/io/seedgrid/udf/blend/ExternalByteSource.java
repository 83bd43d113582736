package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a region of an external data file through memory-mapped windows (off-heap, paged in by
 * the OS), so a 10 GB {@code model.onnx_data} never enters the Java heap.
 */
final class ExternalByteSource implements ByteSource {

    /** Bytes mapped at a time; a chunk is always served from a single window. */
    static final int WINDOW = 64 << 20;

    private final FileChannel channel;
    private final long end;
    private long position;
    private MappedByteBuffer window;
    private long windowStart;

    ExternalByteSource(FileChannel channel, long offset, long length) {
        this.channel = channel;
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public ByteBuffer next(int n) throws IOException {
        if (n > end - position) {
            throw new IllegalStateException("read past the end of an external tensor");
        }
        if (window == null || position + n > windowStart + window.capacity()) {
            long size = Math.min(Math.max(WINDOW, n), end - position);
            window = channel.map(FileChannel.MapMode.READ_ONLY, position, size);
            windowStart = position;
        }
        ByteBuffer view = window.slice((int) (position - windowStart), n).order(ByteOrder.LITTLE_ENDIAN);
        position += n;
        return view;
    }
}
