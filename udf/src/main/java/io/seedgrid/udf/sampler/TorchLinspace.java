package io.seedgrid.udf.sampler;

/**
 * {@code torch.linspace(start, end, steps, dtype=torch.float32)} on the CPU, value for value, because
 * diffusers builds its β schedules with it and one float32 ulp in β shows up in every σ.
 *
 * <p>torch computes {@code step = (end − start) / (steps − 1)} in float32 and fills the first half
 * forwards from {@code start} and the second half backwards from {@code end}
 * (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp). torch 1.13's x86 build fills blocks of 16 with
 * two 8-lane vectors, each lane {@code base + k·step} with {@code base} the value at the vector's first
 * index, and the compiler fuses each multiply-add; the tail (fewer than 16 elements) is filled one by
 * one. This class replays that sequence; it matches Debian's torch 1.13.1 bit for bit. Later torch
 * releases dropped the vectorised fill, which moves a few values by one ulp (about 6e-8 relative).
 */
final class TorchLinspace {

    private static final int LANES = 8;

    private TorchLinspace() {
    }

    static float[] float32(double start, double end, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("linspace needs at least one step, got " + steps);
        }
        float[] out = new float[steps];
        float s = (float) start;
        float e = (float) end;
        if (steps == 1) {
            out[0] = s;
            return out;
        }
        float step = (e - s) / (float) (steps - 1);
        int halfway = steps / 2;
        int vectorised = steps / (2 * LANES) * (2 * LANES);
        for (int idx = 0; idx < vectorised; idx += LANES) {
            float base = scalar(s, e, step, halfway, steps, idx);
            for (int k = 0; k < LANES; k++) {
                out[idx + k] = Math.fma((float) k, step, base);
            }
        }
        for (int idx = vectorised; idx < steps; idx++) {
            out[idx] = scalar(s, e, step, halfway, steps, idx);
        }
        return out;
    }

    private static float scalar(float start, float end, float step, int halfway, int steps, int idx) {
        return idx < halfway ? Math.fma(step, (float) idx, start) : Math.fma(-step, (float) (steps - idx - 1), end);
    }
}
