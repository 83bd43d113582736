package io.seedgrid.udf.blend;

import java.nio.file.Path;

/**
 * A blended model in a {@link BlendCache}.
 *
 * @param directory the directory holding {@code model.onnx} and {@code model.onnx_data}
 * @param created   whether this call made it (false when it was already there)
 */
public record CachedBlend(Path directory, boolean created) {

    /** The blended {@code model.onnx}, to give to ONNX Runtime. */
    public Path model() {
        return directory.resolve(OnnxBlend.MODEL_FILE);
    }
}
