package io.seedgrid.udf.blend;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends tensor values to a new external data file, each tensor starting at a multiple of
 * {@link #ALIGNMENT} bytes (so ONNX Runtime can use the data in place from its memory map).
 */
final class ExternalDataWriter implements Closeable {

    static final int ALIGNMENT = 64;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ALIGNMENT);

    private final FileChannel channel;
    private long position;

    ExternalDataWriter(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Pads to the next aligned offset and returns it: where the next tensor starts. */
    long beginTensor() throws IOException {
        int padding = (int) ((ALIGNMENT - position % ALIGNMENT) % ALIGNMENT);
        if (padding > 0) {
            write(ZEROS.duplicate().limit(padding));
        }
        return position;
    }

    void write(ByteBuffer chunk) throws IOException {
        while (chunk.hasRemaining()) {
            position += channel.write(chunk);
        }
    }

    /** Flushes the file to the device, so a rename that publishes it never publishes a torn file. */
    void force() throws IOException {
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
