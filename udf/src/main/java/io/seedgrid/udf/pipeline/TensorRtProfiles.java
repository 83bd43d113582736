package io.seedgrid.udf.pipeline;

import io.seedgrid.udf.blend.OnnxFiles;
import io.seedgrid.udf.onnx.TensorRtOptions;
import io.seedgrid.udf.onnx.TensorRtProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TensorRT optimisation profiles for SDXL's sub-models, from the shapes the pipeline feeds them (see
 * {@link SdxlPipeline}): the UNet gets 1 to 2B rows (B seeds, doubled under guidance; the last batch of a
 * unit may be smaller), latents of the image size / 8 and 77 tokens per prompt chunk; each text encoder one
 * row per 77-token chunk of one prompt; the VAE decoder one latent at a time. Only the dimensions an export
 * leaves dynamic are given a range; fixed ones keep their size.
 */
final class TensorRtProfiles {

    private static final int WINDOW = 77;

    private TensorRtProfiles() {
    }

    static TensorRtProfile unet(Path file, TensorRtOptions run) {
        long rows = 2L * run.maxImages();
        return profile(file, new long[] {1, rows, rows}, run);
    }

    static TensorRtProfile textEncoder(Path file, TensorRtOptions run) {
        return profile(file, new long[] {1, 1, run.promptChunks()}, run);
    }

    static TensorRtProfile vaeDecoder(Path file, TensorRtOptions run) {
        return profile(file, new long[] {1, 1, 1}, run);
    }

    /** Rows (min, opt, max) for the first dimension; latent sizes for rank-4 inputs; tokens for rank-3 ones. */
    private static TensorRtProfile profile(Path file, long[] rows, TensorRtOptions run) {
        Map<String, TensorRtProfile.Range> inputs = new LinkedHashMap<>();
        try {
            for (OnnxFiles.Input input : OnnxFiles.inputs(file)) {
                long[] dims = input.dims();
                long[] min = dims.clone();
                long[] opt = dims.clone();
                long[] max = dims.clone();
                boolean dynamic = false;
                for (int d = 0; d < dims.length; d++) {
                    if (dims[d] >= 0) {
                        continue;
                    }
                    dynamic = true;
                    long[] range = range(input, d, rows, run);
                    min[d] = range[0];
                    opt[d] = range[1];
                    max[d] = range[2];
                }
                if (dynamic) {
                    inputs.put(input.name(), new TensorRtProfile.Range(min, opt, max));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the inputs of " + file, e);
        }
        return inputs.isEmpty() ? null : TensorRtProfile.of(inputs);
    }

    private static long[] range(OnnxFiles.Input input, int d, long[] rows, TensorRtOptions run) {
        int rank = input.dims().length;
        if (d == 0) {
            return rows;
        }
        if (rank == 4 && (d == 2 || d == 3)) {
            long size = (d == 2 ? run.height() : run.width()) / 8;
            return new long[] {size, size, size};
        }
        if (rank == 3 && d == 1) {
            return new long[] {WINDOW, WINDOW, (long) WINDOW * run.promptChunks()};
        }
        if (rank == 2 && d == 1 && input.name().equals(SdxlSignature.IDS)) {
            return new long[] {WINDOW, WINDOW, WINDOW};
        }
        throw new IllegalArgumentException("cannot build a TensorRT profile for dimension " + d + " ('"
                + input.dimNames()[d] + "') of input '" + input.name() + "': the export leaves it dynamic and"
                + " seedgrid does not know what it feeds there; export it with a fixed size or use device cuda");
    }
}
