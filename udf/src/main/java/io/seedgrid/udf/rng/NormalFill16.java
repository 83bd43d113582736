package io.seedgrid.udf.rng;

/**
 * torch's vectorised Box–Muller block for float32 tensors of at least 16 elements on x86
 * ({@code normal_fill_16_AVX2} in aten/src/ATen/native/cpu/DistributionTemplates.h): 16 uniforms
 * u[0..16) become 16 normals, lane j of the block pairing u[j] (radius) with u[j + 8] (angle):
 * <pre>
 *   r = sqrt(−2 · log(1 − u[j])),  θ = 2π · u[j + 8],  out[j] = r · cos θ,  out[j + 8] = r · sin θ
 * </pre>
 * The log, sin and cos are not libm's: they are the Cephes-style polynomials of avx_mathfun.h
 * (Pommier / Garberoglio) that torch ships, and torch's x86 builds compile that header with FMA
 * contraction. This class replays the instruction sequence of a released torch binary (Debian
 * torch 1.13.1, AVX2 kernel, whose AVX-512 kernel shares this code) lane by lane in float arithmetic,
 * {@link Math#fma} exactly where the compiler fused a multiply into an add, so that it reproduces
 * torch bit for bit. Builds without AVX2 (ARM, {@code ATEN_CPU_CAPABILITY=default}) use glibc's
 * logf/cosf/sinf instead and differ from this by about one ulp.
 */
final class NormalFill16 {

    private static final float TWO_PI = (float) (2.0 * Math.PI);
    private static final float MIN_NORM_POS = Float.intBitsToFloat(0x00800000);

    // avx_mathfun.h log256_ps constants (float literals as the header writes them).
    private static final float SQRTHF = 0.707106781186547524f;
    private static final float LOG_P0 = 7.0376836292E-2f;
    private static final float LOG_P1 = -1.1514610310E-1f;
    private static final float LOG_P2 = 1.1676998740E-1f;
    private static final float LOG_P3 = -1.2420140846E-1f;
    private static final float LOG_P4 = +1.4249322787E-1f;
    private static final float LOG_P5 = -1.6668057665E-1f;
    private static final float LOG_P6 = +2.0000714765E-1f;
    private static final float LOG_P7 = -2.4999993993E-1f;
    private static final float LOG_P8 = +3.3333331174E-1f;
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;

    // avx_mathfun.h sincos256_ps constants.
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
    private static final float MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SINCOF_P0 = -1.9515295891E-4f;
    private static final float SINCOF_P1 = 8.3321608736E-3f;
    private static final float SINCOF_P2 = -1.6666654611E-1f;
    private static final float COSCOF_P0 = 2.443315711809948E-005f;
    private static final float COSCOF_P1 = -1.388731625493765E-003f;
    private static final float COSCOF_P2 = 4.166664568298827E-002f;
    private static final float FOPI = 1.27323954473516f; // 4 / π

    private NormalFill16() {
    }

    /** Turns the 16 uniforms at {@code data[offset .. offset + 16)} into standard normals, in place. */
    static void fill(float[] data, int offset) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - data[offset + j];
            float theta = TWO_PI * data[offset + j + 8];
            float radius = (float) Math.sqrt(-2.0f * log(u1));
            int quadrant = quadrant(theta);
            float x = reduce(theta, quadrant);
            float z = x * x;
            float cosPoly = cosPolynomial(x, z);
            float sinPoly = sinPolynomial(x, z);
            boolean firstPolynomial = (quadrant & 2) == 0;
            float sin = firstPolynomial ? sinPoly : cosPoly;
            float cos = firstPolynomial ? cosPoly : sinPoly;
            // Sign bits as sincos256_ps computes them (θ ≥ 0 here): sin is negative when bit 2 of the
            // quadrant is set, cos when bit 2 of (quadrant − 2) is clear.
            if ((quadrant & 4) != 0) {
                sin = -sin;
            }
            if (((quadrant - 2) & 4) == 0) {
                cos = -cos;
            }
            data[offset + j] = radius * cos;
            data[offset + j + 8] = radius * sin;
        }
    }

    /** log256_ps for one lane, argument in (0, 1]. */
    static float log(float x) {
        x = Math.max(x, MIN_NORM_POS);
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f) + 1.0f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < SQRTHF;
        float tmp = small ? x : 0.0f;
        x = x - 1.0f;
        e = e - (small ? 1.0f : 0.0f);
        x = x + tmp;
        float z = x * x;
        float y = LOG_P0;
        y = Math.fma(y, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = y - z * 0.5f;
        x = x + y;
        return Math.fma(e, LOG_Q2, x);
    }

    /** The octant index j of sincos256_ps for θ ≥ 0: (int)(θ · 4/π) rounded up to even. */
    private static int quadrant(float theta) {
        int j = (int) (theta * FOPI);
        return (j + 1) & ~1;
    }

    /** Cody–Waite reduction x − j·π/4 in three fused steps. */
    private static float reduce(float theta, int quadrant) {
        float y = (float) quadrant;
        float x = Math.fma(y, MINUS_DP1, theta);
        x = Math.fma(y, MINUS_DP2, x);
        return Math.fma(y, MINUS_DP3, x);
    }

    private static float cosPolynomial(float x, float z) {
        float y = Math.fma(COSCOF_P0, z, COSCOF_P1);
        y = Math.fma(y, z, COSCOF_P2);
        y = y * z;
        y = Math.fma(y, z, -(z * 0.5f));
        return y + 1.0f;
    }

    private static float sinPolynomial(float x, float z) {
        float y = Math.fma(SINCOF_P0, z, SINCOF_P1);
        y = Math.fma(y, z, SINCOF_P2);
        y = y * z;
        return Math.fma(y, x, x);
    }
}
