package io.seedgrid.udf.metrics;

/**
 * CLIP score for prompt adherence: 100 * max(cos(image embedding, text embedding), 0). Hessel et al.
 * 2021 ("CLIPScore", eq. 1) define w * max(cos, 0) with w = 2.5; torchmetrics' CLIPScore and seedgrid
 * use w = 100.
 */
public final class ClipScore {
    private ClipScore() {
    }

    public static double of(float[] imageEmbedding, float[] textEmbedding) {
        return 100.0 * Math.max(Embeddings.cosine(imageEmbedding, textEmbedding), 0.0);
    }
}
