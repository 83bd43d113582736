package io.seedgrid.udf.metrics;

import java.util.List;

/**
 * Embedding distance: 1 - cos(a, b) of two image embeddings (CLIP, DINOv2, DreamSim exports), in
 * [0, 2]. DreamSim's distance is defined this way (Fu et al. 2023, "DreamSim", section 3).
 */
public final class EmbeddingDistance {
    private EmbeddingDistance() {
    }

    public static double distance(float[] a, float[] b) {
        return 1.0 - Embeddings.cosine(a, b);
    }

    /** Distances of all pairs of a group of at least two embeddings. */
    public static PairwiseDistances allPairs(List<float[]> embeddings) {
        int n = embeddings.size();
        if (n < 2) {
            throw new IllegalArgumentException("embedding distances of a group need at least 2 images, got " + n);
        }
        double[] d = new double[n * (n - 1) / 2];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, k++) {
                d[k] = distance(embeddings.get(i), embeddings.get(j));
            }
        }
        return new PairwiseDistances(n, d);
    }
}
