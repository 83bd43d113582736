package io.seedgrid.udf.image;

/**
 * PNG's row filters for 8-bit RGB (ISO/IEC 15948, 9.2; three bytes per pixel): each filtered row is its filter
 * type byte and the row's bytes minus a prediction from the pixel to the left (a), above (b) and upper left (c),
 * all taken as 0 outside the image. {@link PngEncoder.Filter#ADAPTIVE} filters each row with every type and keeps
 * the one whose output has the smallest sum of absolute values as signed bytes (the specification's 12.8
 * recommendation, as libpng and PIL do).
 */
final class RowFilters {

    private static final int BPP = 3;
    private static final int TYPES = 5;

    private RowFilters() {
    }

    /** The filtered rows of {@code rgb} ({@code height} rows of {@code 3·width} bytes), each led by its type byte. */
    static byte[] apply(byte[] rgb, int width, int height, PngEncoder.Filter filter) {
        int stride = width * BPP;
        byte[] raw = new byte[(stride + 1) * height];
        byte[] none = new byte[stride];
        byte[][] candidates = filter == PngEncoder.Filter.ADAPTIVE ? new byte[TYPES][stride] : null;
        for (int y = 0; y < height; y++) {
            int row = y * (stride + 1);
            int cur = y * stride;
            byte[] above = y > 0 ? rgb : none;
            int up = y > 0 ? cur - stride : 0;
            int type = switch (filter) {
                case NONE -> 0;
                case SUB -> 1;
                case UP -> 2;
                case PAETH -> 4;
                case ADAPTIVE -> -1;
            };
            if (type >= 0) {
                raw[row] = (byte) type;
                filter(type, rgb, cur, above, up, stride, raw, row + 1);
                continue;
            }
            int best = 0;
            long bestSum = Long.MAX_VALUE;
            for (int t = 0; t < TYPES; t++) {
                long sum = filter(t, rgb, cur, above, up, stride, candidates[t], 0);
                if (sum < bestSum) {
                    bestSum = sum;
                    best = t;
                }
            }
            raw[row] = (byte) best;
            System.arraycopy(candidates[best], 0, raw, row + 1, stride);
        }
        return raw;
    }

    /**
     * Writes row {@code cur} of {@code rgb} filtered with {@code type} to {@code out} at {@code at}; the row above is
     * {@code above} at {@code up}. Returns the sum of the output's absolute values as signed bytes.
     */
    private static long filter(int type, byte[] rgb, int cur, byte[] above, int up, int stride, byte[] out, int at) {
        long sum = 0;
        switch (type) {
            case 0 -> {
                for (int i = 0; i < stride; i++) {
                    byte v = rgb[cur + i];
                    out[at + i] = v;
                    sum += Math.abs(v);
                }
            }
            case 1 -> {
                for (int i = 0; i < stride; i++) {
                    byte v = (byte) (rgb[cur + i] - (i >= BPP ? rgb[cur + i - BPP] : 0));
                    out[at + i] = v;
                    sum += Math.abs(v);
                }
            }
            case 2 -> {
                for (int i = 0; i < stride; i++) {
                    byte v = (byte) (rgb[cur + i] - above[up + i]);
                    out[at + i] = v;
                    sum += Math.abs(v);
                }
            }
            case 3 -> {
                for (int i = 0; i < stride; i++) {
                    int a = i >= BPP ? rgb[cur + i - BPP] & 0xff : 0;
                    byte v = (byte) (rgb[cur + i] - ((a + (above[up + i] & 0xff)) >>> 1));
                    out[at + i] = v;
                    sum += Math.abs(v);
                }
            }
            default -> {
                for (int i = 0; i < stride; i++) {
                    int a = i >= BPP ? rgb[cur + i - BPP] & 0xff : 0;
                    int b = above[up + i] & 0xff;
                    int c = i >= BPP ? above[up + i - BPP] & 0xff : 0;
                    // Paeth: the neighbour closest to a + b - c, ties in the order a, b, c
                    int p = a + b - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - b);
                    int pc = Math.abs(p - c);
                    int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    byte v = (byte) (rgb[cur + i] - predictor);
                    out[at + i] = v;
                    sum += Math.abs(v);
                }
            }
        }
        return sum;
    }
}
