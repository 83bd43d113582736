package io.seedgrid.udf.sampler;

/**
 * The training noise schedule of a diffusion model: β_t, ᾱ_t = Π(1 − β_s) and σ_t = √((1 − ᾱ_t)/ᾱ_t)
 * for t in [0, T), computed in float32 exactly as diffusers' schedulers compute them with torch
 * ({@code __init__} of EulerDiscreteScheduler and its siblings), plus the float64 helpers that their
 * {@code set_timesteps} use (σ at a fractional timestep by linear interpolation, the timestep of a σ).
 * Immutable and shared by all images.
 */
public final class NoiseSchedule {

    private final SchedulerConfig config;
    private final float[] betas;
    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    private NoiseSchedule(SchedulerConfig config) {
        this.config = config;
        int n = config.numTrainTimesteps();
        this.betas = betas(config);
        this.alphasCumprod = new float[n];
        // torch.cumprod on float32 accumulates in double (acc_type) and rounds each partial product.
        double product = 1.0;
        for (int t = 0; t < n; t++) {
            float alpha = 1.0f - betas[t];
            product *= alpha;
            alphasCumprod[t] = (float) product;
        }
        this.sigmas = new float[n];
        this.logSigmas = new float[n];
        for (int t = 0; t < n; t++) {
            float a = alphasCumprod[t];
            sigmas[t] = (float) Math.sqrt((1.0f - a) / a); // ((1 - ᾱ) / ᾱ) ** 0.5 in float32
            logSigmas[t] = (float) Math.log(sigmas[t]);   // np.log of the float32 table
        }
    }

    /** The schedule of {@code config}. */
    public static NoiseSchedule of(SchedulerConfig config) {
        return new NoiseSchedule(config);
    }

    /** SDXL's schedule. */
    public static NoiseSchedule sdxl() {
        return of(SchedulerConfig.sdxl());
    }

    public SchedulerConfig config() {
        return config;
    }

    /** T, the number of training timesteps. */
    public int trainSteps() {
        return config.numTrainTimesteps();
    }

    public PredictionType predictionType() {
        return config.predictionType();
    }

    public float beta(int t) {
        return betas[check(t)];
    }

    /** ᾱ_t in float32. */
    public float alphaCumprod(int t) {
        return alphasCumprod[check(t)];
    }

    /** σ_t in float32, as diffusers' Euler and DPM-Solver tables hold it. */
    public float sigma(int t) {
        return sigmas[check(t)];
    }

    /** σ at the smallest timestep (σ_0). */
    public float sigmaMin() {
        return sigmas[0];
    }

    /** σ at the largest timestep (σ_{T−1}). */
    public float sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    /** A copy of the ᾱ table. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** A copy of the σ table. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /**
     * σ at a fractional timestep: {@code np.interp(t, arange(T), sigmas)} in float64 over the float32
     * table, as diffusers' Euler and DPM-Solver {@code set_timesteps} compute it.
     */
    public double interpolatedSigma(double t) {
        if (!(t >= 0 && t <= trainSteps() - 1)) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (trainSteps() - 1) + "]");
        }
        int j = (int) Math.floor(t);
        if (j >= sigmas.length - 1) {
            return sigmas[sigmas.length - 1];
        }
        double slope = (double) sigmas[j + 1] - sigmas[j]; // (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]), xp = arange(T)
        return slope * (t - j) + sigmas[j];
    }

    /**
     * The fractional timestep of a noise level, diffusers' {@code _sigma_to_t}: linear interpolation in
     * log σ between the two neighbouring table entries, clamped to [0, T − 1]. The arithmetic follows
     * NumPy 1.x's promotion in that function (log σ rounded to float32, weights in float32).
     */
    public double timestepForSigma(double sigma) {
        float logSigma = (float) Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        for (int t = 0; t < n; t++) {
            if (logSigma - logSigmas[t] >= 0) {
                low = t;
            }
        }
        low = Math.min(low, n - 2);
        float lo = logSigmas[low];
        float hi = logSigmas[low + 1];
        float w = (lo - logSigma) / (lo - hi);
        w = Math.max(0f, Math.min(1f, w));
        return (double) (1f - w) * low + (double) w * (low + 1);
    }

    /** σ of a VP latent with signal level ᾱ, in float64: √((1 − ᾱ)/ᾱ). */
    static double sigmaOfAlphaCumprod(float alphaCumprod) {
        return Math.sqrt((1.0 - alphaCumprod) / alphaCumprod);
    }

    /**
     * ᾱ of a noise level, rounded to float32: 1/(1 + σ²). For σ from {@link #sigmaOfAlphaCumprod} this
     * returns the original float32 ᾱ exactly (the double round trip is far inside half a float ulp).
     */
    static float alphaCumprodOfSigma(double sigma) {
        return (float) (1.0 / (1.0 + sigma * sigma));
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (betas.length - 1) + "]");
        }
        return t;
    }

    private static float[] betas(SchedulerConfig c) {
        int n = c.numTrainTimesteps();
        float[] b = new float[n];
        if (c.trainedBetas() != null) {
            double[] trained = c.trainedBetas();
            for (int t = 0; t < n; t++) {
                b[t] = (float) trained[t];
            }
            return b;
        }
        switch (c.betaSchedule()) {
            case "linear" -> {
                return TorchLinspace.float32(c.betaStart(), c.betaEnd(), n);
            }
            case "scaled_linear" -> {
                // torch.linspace(beta_start ** 0.5, beta_end ** 0.5, T, dtype=float32) ** 2
                float[] root = TorchLinspace.float32(Math.sqrt(c.betaStart()), Math.sqrt(c.betaEnd()), n);
                for (int t = 0; t < n; t++) {
                    b[t] = root[t] * root[t];
                }
                return b;
            }
            case "squaredcos_cap_v2" -> {
                // diffusers betas_for_alpha_bar (Nichol and Dhariwal 2021, cosine schedule), float64 then float32
                for (int t = 0; t < n; t++) {
                    double t1 = (double) t / n;
                    double t2 = (double) (t + 1) / n;
                    b[t] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                }
                return b;
            }
            default -> throw new IllegalArgumentException("unsupported beta_schedule " + c.betaSchedule());
        }
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseSchedule s && config.equals(s.config);
    }

    @Override
    public int hashCode() {
        return config.hashCode();
    }

    @Override
    public String toString() {
        return "NoiseSchedule[" + config + "]";
    }
}
