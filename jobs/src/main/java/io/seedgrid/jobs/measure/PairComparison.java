package io.seedgrid.jobs.measure;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.metrics.ClipScore;
import io.seedgrid.udf.metrics.EmbeddingDistance;
import io.seedgrid.udf.metrics.MsSsim;
import io.seedgrid.udf.metrics.Ssim;

/**
 * The pairwise metrics of two images, as {@code seedgrid compare} prints them: SSIM and MS-SSIM
 * always (MS-SSIM of images under 161 px per side after upsampling, as {@code measure} does, with
 * the method named), LPIPS and the embedding distances of the configured models, CLIP scores of both
 * images with a prompt. SSIM, MS-SSIM and LPIPS compare aligned pixels, so images of different sizes
 * are refused rather than silently resized.
 */
public final class PairComparison {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PairComparison() {
    }

    /**
     * @param prompt the prompt for CLIP scores; null without a CLIP pair in {@code suite}
     * @throws IllegalArgumentException when the images differ in size, or a prompt is given without CLIP
     *     or CLIP without a prompt
     */
    public static ObjectNode compare(RgbImage a, RgbImage b, MetricSuite suite, String prompt) throws OrtException {
        if (!a.sameSize(b)) {
            throw new IllegalArgumentException("the images differ in size (" + a.width() + "x" + a.height() + " and "
                    + b.width() + "x" + b.height() + "): SSIM, MS-SSIM and LPIPS compare aligned pixels of images of"
                    + " one size; resize one first");
        }
        if (suite.hasClip() != (prompt != null)) {
            throw new IllegalArgumentException("a CLIP score needs both a CLIP model and a prompt");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("width", a.width());
        out.put("height", a.height());
        double ssim = Ssim.compute(a, b);
        out.put("ssim", ssim);
        out.put("ssim_distance", 1 - ssim);
        MsSsim.Result ms = MsSsim.compute(a, b, true);
        out.putObject("ms_ssim").put("value", ms.value()).put("distance", ms.distance()).put("method", ms.method().label());
        if (suite.lpips() != null) {
            out.put("lpips", suite.lpips().features(a).distance(suite.lpips().features(b)));
        }
        ObjectNode distances = out.putObject("embedding_distance");
        float[] clipA = null;
        float[] clipB = null;
        for (int e = 0; e < suite.encoders().size(); e++) {
            MetricSuite.Encoder encoder = suite.encoders().get(e);
            float[] ea = encoder.embedder().embed(a);
            float[] eb = encoder.embedder().embed(b);
            distances.put(encoder.column(), EmbeddingDistance.distance(ea, eb));
            if (e == suite.clipEncoder()) {
                clipA = ea;
                clipB = eb;
            }
        }
        if (prompt != null) {
            float[] text = suite.promptEmbedding(prompt);
            out.putObject("clip_score").put("prompt", prompt).put("a", ClipScore.of(clipA, text))
                    .put("b", ClipScore.of(clipB, text));
        }
        out.put("device", suite.device());
        return out;
    }
}
