package io.seedgrid.udf.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the steps of a run are spread over the training timesteps; names as ComfyUI's "scheduler" input.
 * Each sampler turns a schedule into timesteps the way its diffusers scheduler does (see the sampler
 * classes); where ComfyUI's schedule of the same name differs, the difference is stated here.
 */
public enum SigmaSchedule {
    /**
     * The model's own spacing: {@code timestep_spacing} of the scheduler config ({@code leading} with
     * {@code steps_offset} for SDXL), as each diffusers scheduler computes it; LCM's own grid of
     * {@code original_inference_steps} for {@code lcm}. ComfyUI's {@code normal} is different: N points
     * evenly spaced from t = T−1 to t = 0 inclusive, σ interpolated in log space.
     */
    NORMAL("normal"),
    /**
     * Karras et al. 2022 (EDM), ρ = 7: σ_i = (σ_max^(1/ρ) + i/(N−1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, then the
     * timestep of each σ; diffusers' {@code use_karras_sigmas=True}. Euler's range is the first and last σ of
     * the config spacing (σ(958)..σ(1) for SDXL at 30 steps), DPM-Solver's the full table σ_{T−1}..σ_0, as in
     * diffusers; ComfyUI always uses the full table. Integer-timestep samplers round the timesteps.
     */
    KARRAS("karras"),
    /** {@code timestep_spacing="trailing"} (Lin et al. 2024): round(T − k·T/N) − 1, so the first step is at T − 1. */
    TRAILING("trailing"),
    /**
     * ComfyUI's {@code sgm_uniform}: N timesteps evenly spaced from t(σ_max) = T − 1 towards t(σ_min) = 0
     * ({@code linspace(T−1, 0, N+1)} without its last point), final σ 0. σ at those timesteps is diffusers'
     * linear interpolation of its float32 table; ComfyUI interpolates log σ in a table built in float64
     * (for SDXL up to 100 steps the two differ by under 3e-5 relative). Integer-timestep samplers round
     * the timesteps.
     */
    SGM_UNIFORM("sgm_uniform");

    private final String comfyName;

    SigmaSchedule(String comfyName) {
        this.comfyName = comfyName;
    }

    /** The ComfyUI name. */
    public String comfyName() {
        return comfyName;
    }

    /** The schedule called {@code name} (case-insensitive). */
    public static SigmaSchedule byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (SigmaSchedule s : values()) {
                if (s.comfyName.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown sigma schedule '" + name + "': known schedules are " + names());
    }

    /** The known schedule names. */
    public static List<String> names() {
        return Arrays.stream(values()).map(SigmaSchedule::comfyName).toList();
    }
}
