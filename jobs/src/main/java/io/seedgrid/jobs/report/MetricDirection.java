package io.seedgrid.jobs.report;

/**
 * Which way a {@code groups/} metric reads. Mean pairwise distances (LPIPS, 1 − cosine of embeddings,
 * 1 − SSIM, 1 − MS-SSIM) and Vendi scores (the effective number of distinct images, Friedman & Dieng
 * 2023) grow with diversity; the CLIP score (cosine of image and prompt embeddings, Hessel et al. 2021)
 * grows with adherence to the prompt.
 */
enum MetricDirection {
    DIVERSITY("↑ more diverse"),
    ADHERENCE("↑ more adherent"),
    UNKNOWN("");

    private final String label;

    MetricDirection(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    static MetricDirection of(String metric) {
        if (metric.equals("clip_score_mean")) {
            return ADHERENCE;
        }
        if (metric.equals("lpips_mean") || metric.endsWith("_distance_mean") || metric.endsWith("_vendi")
                || metric.endsWith("_vendi_q2") || metric.endsWith("_vendi_qinf")) {
            return DIVERSITY;
        }
        return UNKNOWN;
    }
}
