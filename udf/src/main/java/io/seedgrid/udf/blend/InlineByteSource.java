package io.seedgrid.udf.blend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Reads {@link TensorStorage.Inline} segments of a mapped model.onnx without copying when it can. */
final class InlineByteSource implements ByteSource {

    private final List<ByteBuffer> segments;
    private int segment;
    private int position;
    private ByteBuffer scratch;

    InlineByteSource(List<ByteBuffer> segments) {
        this.segments = segments;
    }

    @Override
    public ByteBuffer next(int n) {
        skipExhausted();
        if (segment < segments.size() && segments.get(segment).limit() - position >= n) {
            ByteBuffer view = segments.get(segment).slice(position, n).order(ByteOrder.LITTLE_ENDIAN);
            position += n;
            return view;
        }
        // The chunk spans several field occurrences: gather it.
        if (scratch == null || scratch.capacity() < n) {
            scratch = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
        }
        scratch.clear().limit(n);
        while (scratch.hasRemaining()) {
            skipExhausted();
            if (segment >= segments.size()) {
                throw new IllegalStateException("a tensor's inline data ended early");
            }
            ByteBuffer current = segments.get(segment);
            int take = Math.min(scratch.remaining(), current.limit() - position);
            scratch.put(current.slice(position, take));
            position += take;
        }
        return scratch.flip();
    }

    private void skipExhausted() {
        while (segment < segments.size() && position >= segments.get(segment).limit()) {
            segment++;
            position = 0;
        }
    }
}
