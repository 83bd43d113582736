package io.seedgrid.jobs.config;

import java.util.List;

/**
 * The measure stage's settings.
 *
 * @param lpips           LPIPS model directory, or null
 * @param encoders        image-embedding model directories (CLIP, DINOv2, DreamSim exports), possibly empty
 * @param clip            CLIP pair directory for the CLIP score (its image tower also counts as an encoder), or null
 * @param referenceRecipe the recipe others are compared with (paired differences), or null
 * @param bootstrap       bootstrap resamples for the 95% intervals
 * @param msSsim          whether to compute MS-SSIM (weight-free)
 */
public record MeasureConfig(String lpips, List<String> encoders, String clip, String referenceRecipe, int bootstrap,
                            boolean msSsim) {

    public static MeasureConfig defaults() {
        return new MeasureConfig(null, List.of(), null, null, 1000, true);
    }
}
