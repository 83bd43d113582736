package io.seedgrid.udf.sampler;

import java.util.Arrays;

/**
 * The timestep grids of diffusers' {@code set_timesteps} implementations, with NumPy's float64
 * {@code linspace}/{@code arange}/{@code round} semantics so that the values agree to the last bit.
 */
final class TimestepGrids {

    private TimestepGrids() {
    }

    /**
     * The spacings of EulerDiscreteScheduler and DDIMScheduler for {@code n} steps, largest first:
     * {@code leading} = round(k·(T div n)) + steps_offset, {@code trailing} = round(T − k·T/n) − 1,
     * {@code linspace} = linspace(0, T − 1, n) reversed (rounded when {@code integer}, as DDIM does; float32
     * as Euler keeps it otherwise).
     */
    static double[] spaced(SchedulerConfig c, String spacing, int n, boolean integer) {
        int trainSteps = c.numTrainTimesteps();
        double[] t;
        switch (spacing) {
            case "leading" -> {
                int ratio = trainSteps / n;
                t = new double[n];
                for (int k = 0; k < n; k++) {
                    t[k] = (double) (n - 1 - k) * ratio + c.stepsOffset();
                }
            }
            case "trailing" -> {
                t = arange(trainSteps, 0, -(double) trainSteps / n);
                for (int k = 0; k < t.length; k++) {
                    t[k] = Math.rint(t[k]) - 1;
                }
            }
            case "linspace" -> {
                t = reverse(linspace(0, trainSteps - 1, n, true));
                for (int k = 0; k < t.length; k++) {
                    t[k] = integer ? Math.rint(t[k]) : (float) t[k];
                }
            }
            default -> throw new IllegalArgumentException("unsupported timestep_spacing " + spacing);
        }
        return t;
    }

    /**
     * DPMSolverMultistepScheduler's spacings, which divide by n + 1 and drop the last point:
     * {@code leading} = round(k·(T div (n+1))) + steps_offset for k = n..1, {@code trailing} as
     * {@link #spaced}, {@code linspace} = round(linspace(0, T − 1, n + 1)) reversed without its last point.
     */
    static double[] dpmSpaced(SchedulerConfig c, String spacing, int n) {
        int trainSteps = c.numTrainTimesteps();
        return switch (spacing) {
            case "leading" -> {
                int ratio = trainSteps / (n + 1);
                double[] t = new double[n];
                for (int k = 0; k < n; k++) {
                    t[k] = (double) (n - k) * ratio + c.stepsOffset();
                }
                yield t;
            }
            case "trailing" -> spaced(c, "trailing", n, true);
            case "linspace" -> {
                double[] all = reverse(linspace(0, trainSteps - 1, n + 1, true));
                double[] t = new double[n];
                for (int k = 0; k < n; k++) {
                    t[k] = Math.rint(all[k]);
                }
                yield t;
            }
            default -> throw new IllegalArgumentException("unsupported timestep_spacing " + spacing);
        };
    }

    /**
     * LCMScheduler's default grid: the distillation timesteps k·(T div N_orig) − 1 (k = 1..N_orig, largest
     * first), of which those at indices floor(linspace(0, N_orig, n, endpoint=False)) are used.
     * For SDXL and 4 steps: 999, 759, 499, 259.
     */
    static double[] lcm(SchedulerConfig c, int n) {
        int original = c.originalInferenceSteps();
        if (n > original) {
            throw new IllegalArgumentException("lcm's normal schedule has at most original_inference_steps = "
                    + original + " steps, got " + n + " (give explicit timesteps for more)");
        }
        int k = c.numTrainTimesteps() / original;
        double[] indices = linspace(0, original, n, false);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            int index = (int) Math.floor(indices[i]);
            t[i] = (double) (original - index) * k - 1;
        }
        return t;
    }

    /**
     * Karras et al. 2022, eq. 5 with ρ = 7, as diffusers' {@code _convert_to_karras}: n noise levels from
     * σ_max down to σ_min, evenly spaced in σ^(1/ρ).
     */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] ramp = linspace(0, 1, n, true);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return sigmas;
    }

    /** ComfyUI's sgm_uniform grid: {@code linspace(T − 1, 0, n + 1)} without its last point. */
    static double[] sgmUniform(int trainSteps, int n) {
        return Arrays.copyOf(linspace(trainSteps - 1, 0, n + 1, true), n);
    }

    /** {@code np.linspace(start, stop, num, endpoint)} in float64. */
    static double[] linspace(double start, double stop, int num, boolean endpoint) {
        double[] y = new double[num];
        int div = endpoint ? num - 1 : num;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            for (int i = 0; i < num; i++) {
                y[i] = i * step + start;
            }
        } else {
            for (int i = 0; i < num; i++) {
                y[i] = i * delta + start;
            }
        }
        if (endpoint && num > 1) {
            y[num - 1] = stop;
        }
        return y;
    }

    /** {@code np.arange(start, stop, step)} in float64 (NumPy fills start + i·((start + step) − start)). */
    static double[] arange(double start, double stop, double step) {
        int length = (int) Math.ceil((stop - start) / step);
        double[] y = new double[Math.max(length, 0)];
        if (y.length == 0) {
            return y;
        }
        y[0] = start;
        if (y.length > 1) {
            y[1] = start + step;
            double delta = y[1] - start;
            for (int i = 2; i < y.length; i++) {
                y[i] = start + i * delta;
            }
        }
        return y;
    }

    /** Checks explicit timesteps against the schedule; integer samplers need whole numbers. */
    static void checkExplicit(double[] timesteps, int trainSteps, boolean integer, String sampler) {
        for (double t : timesteps) {
            if (t > trainSteps - 1) {
                throw new IllegalArgumentException("explicit timestep " + t + " is outside [0, " + (trainSteps - 1)
                        + "]: " + Arrays.toString(timesteps));
            }
            if (integer && t != Math.rint(t)) {
                throw new IllegalArgumentException(sampler + " takes whole-number timesteps, got " + t + " in "
                        + Arrays.toString(timesteps));
            }
        }
    }

    private static double[] reverse(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }
}
