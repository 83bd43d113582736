package io.seedgrid.udf.rng;

/**
 * A seeded random stream that reproduces {@code torch.Generator("cpu").manual_seed(seed)} and
 * {@code torch.randn(shape, generator=g, dtype=torch.float32)}, including the state carried from one
 * draw to the next, so that a seed gives the same latents as diffusers and ComfyUI.
 *
 * <p>What torch does (aten/src/ATen: core/MT19937RNGEngine.h, CPUGeneratorImpl.cpp,
 * core/DistributionsHelper.h, core/TransformationHelper.h, native/cpu/DistributionTemplates.h):
 * <ul>
 *   <li>{@code manual_seed} reads the seed as unsigned 64-bit and seeds mt19937 with its low 32 bits;
 *       it clears the cached normal.</li>
 *   <li>{@code randn} of n ≥ 16 float32 elements ({@code normal_fill}): n uniforms
 *       {@code (bits32 & 0xffffff) · 2⁻²⁴}, then Box–Muller on each block of 16 (see {@link NormalFill16});
 *       when 16 does not divide n, 16 fresh uniforms overwrite the last 16 elements, which are then
 *       transformed again. Does not touch the cached normal.</li>
 *   <li>{@code randn} of n &lt; 16 elements: element by element, double-precision Box–Muller
 *       ({@code at::normal_distribution<double>}) on uniforms {@code (random64 & (2⁵³−1)) · 2⁻⁵³} where
 *       random64 is two 32-bit draws, high word first; each pair yields r·cos θ now and caches r·sin θ
 *       for the next small-tensor element, even one of a later call. Values are rounded to float.</li>
 * </ul>
 * One generator belongs to one image; it is not thread-safe (a {@link #drawAhead draw ahead} may run on another
 * thread than the draw that returns it, when the caller orders the two).
 */
public final class TorchGenerator {

    /** torch switches to the vectorised 16-element Box–Muller at this many elements. */
    public static final int VECTORISED_MIN_NUMEL = 16;

    private static final float FLOAT_UNIFORM_SCALE = 0x1.0p-24f;
    private static final double DOUBLE_UNIFORM_SCALE = 0x1.0p-53;
    private static final long DOUBLE_UNIFORM_MASK = (1L << 53) - 1;

    private final long seed;
    private final Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;
    private float[] ahead;

    /**
     * A generator seeded like {@code torch.Generator("cpu").manual_seed(seed)}.
     *
     * @param seed the seed's 64 bits, read as unsigned: every value in [0, 2⁶⁴) is accepted; a negative
     *             long stands for seed + 2⁶⁴ (as torch itself wraps negative seeds)
     */
    public TorchGenerator(long seed) {
        this.seed = seed;
        this.engine = new Mt19937(seed);
    }

    private TorchGenerator(TorchGenerator other) {
        this.seed = other.seed;
        this.engine = other.engine.copy();
        this.hasCachedNormal = other.hasCachedNormal;
        this.cachedNormal = other.cachedNormal;
        this.ahead = other.ahead == null ? null : other.ahead.clone();
    }

    /** A generator for a seed written in decimal, in [0, 2⁶⁴) (for seeds beyond {@link Long#MAX_VALUE}). */
    public static TorchGenerator ofUnsigned(String decimalSeed) {
        try {
            return new TorchGenerator(Long.parseUnsignedLong(decimalSeed.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a torch seed must be an integer in [0, 2^64), got '" + decimalSeed + "'", e);
        }
    }

    /** The seed's 64 bits (unsigned; print with {@link Long#toUnsignedString(long)}). */
    public long seed() {
        return seed;
    }

    /** An independent generator in exactly this state (mt19937 position and cached normal). */
    public TorchGenerator copy() {
        return new TorchGenerator(this);
    }

    /** {@code torch.randn(shape, generator=g)} for any shape with {@code numel} elements, row-major. */
    public float[] randn(int numel) {
        if (numel < 0) {
            throw new IllegalArgumentException("numel must be non-negative, got " + numel);
        }
        if (ahead != null) {
            float[] drawn = ahead;
            if (drawn.length != numel) {
                throw new IllegalStateException("a draw of " + drawn.length + " values is ahead, not of " + numel);
            }
            ahead = null;
            return drawn;
        }
        float[] out = new float[numel];
        fillNormal(out, 0, numel);
        return out;
    }

    /**
     * Makes the next {@code randn(numel)} now (unless it is made already), so that it is ready when asked for: the next
     * {@link #randn(int)} returns it, and the stream stays what it would be (a draw ahead is the next draw, made
     * earlier). Until then the generator takes no other draw. The pipeline draws a sampler step's noise while the
     * UNet runs.
     */
    public void drawAhead(int numel) {
        if (ahead != null) {
            if (ahead.length != numel) {
                throw new IllegalStateException("a draw of " + ahead.length + " values is ahead, not of " + numel);
            }
            return;
        }
        float[] out = new float[numel];
        fillNormal(out, 0, numel);
        ahead = out;
    }

    /** Fills {@code out[offset .. offset + numel)} as {@link #randn(int)} would return it. */
    public void fillNormal(float[] out, int offset, int numel) {
        if (offset < 0 || numel < 0 || offset + numel > out.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + " + " + numel
                    + ") does not fit an array of " + out.length);
        }
        if (ahead != null) {
            throw new IllegalStateException("a draw of " + ahead.length + " values is ahead: take it with randn first");
        }
        if (numel >= VECTORISED_MIN_NUMEL) {
            fillVectorised(out, offset, numel);
        } else {
            for (int i = 0; i < numel; i++) {
                out[offset + i] = (float) nextDoubleNormal();
            }
        }
    }

    private void fillVectorised(float[] out, int offset, int numel) {
        fillUniform(out, offset, numel);
        int end = offset + numel;
        for (int i = offset; i + VECTORISED_MIN_NUMEL <= end; i += VECTORISED_MIN_NUMEL) {
            NormalFill16.fill(out, i);
        }
        if (numel % VECTORISED_MIN_NUMEL != 0) {
            int tail = end - VECTORISED_MIN_NUMEL;
            fillUniform(out, tail, VECTORISED_MIN_NUMEL);
            NormalFill16.fill(out, tail);
        }
    }

    /** {@code at::uniform_real_distribution<float>(0, 1)}: the low 24 bits of one 32-bit draw. */
    private void fillUniform(float[] out, int offset, int count) {
        for (int i = offset; i < offset + count; i++) {
            out[i] = (engine.nextInt() & 0xffffff) * FLOAT_UNIFORM_SCALE;
        }
    }

    /** {@code at::normal_distribution<double>(0, 1)} with the generator's cached second value. */
    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDoubleUniform();
        double u2 = nextDoubleUniform();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    private double nextDoubleUniform() {
        return (engine.nextLong() & DOUBLE_UNIFORM_MASK) * DOUBLE_UNIFORM_SCALE;
    }

    @Override
    public String toString() {
        return "TorchGenerator[seed=" + Long.toUnsignedString(seed) + "]";
    }
}
