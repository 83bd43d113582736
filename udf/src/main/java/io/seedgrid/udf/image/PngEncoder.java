package io.seedgrid.udf.image;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit RGB PNGs (ISO/IEC 15948) with text chunks, deterministically: the same pixels and text
 * always give the same bytes, whatever the JVM or batch (the deflate stream is zlib's, the one the JDK links:
 * another zlib build could choose other bytes for the same pixels). A text value that Latin-1 can carry goes in a
 * {@code tEXt} chunk, any other in an uncompressed UTF-8 {@code iTXt} chunk — what PIL does, so that
 * A1111-style {@code parameters} readers find it either way.
 *
 * <p>How the pixels are compressed is a {@link Compression}: a row filter and a deflate setting.
 * {@link Compression#DEFAULT} was chosen by measurement ({@code seedgrid bench png}; the README's table): on
 * generated 1024² images the adaptive filter with Huffman coding alone is both the fastest and the smallest of
 * the settings measured, because diffusion models' images have almost no repeated strings for deflate's matcher
 * to find.
 */
public final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** PNG's row filters (filter method 0), and the adaptive choice among them. */
    public enum Filter {
        /** Every row unfiltered. */
        NONE,
        /** Every row: each byte minus the byte one pixel to the left (seedgrid's filter before its PNG settings were measured). */
        SUB,
        /** Every row: each byte minus the byte above. */
        UP,
        /** Every row: Paeth's predictor of left, above and upper left. */
        PAETH,
        /**
         * Each row the filter (none, sub, up, average, Paeth) whose output has the smallest sum of absolute values as
         * signed bytes: the heuristic of the PNG specification's recommendations, libpng and PIL.
         */
        ADAPTIVE
    }

    /**
     * How pixels are compressed.
     *
     * @param filter      the row filter
     * @param level       zlib's compression level, 0 (stored) to 9 (ignored when {@code huffmanOnly})
     * @param huffmanOnly zlib's {@code Z_HUFFMAN_ONLY} strategy: no string matching, Huffman codes of the filtered bytes
     */
    public record Compression(Filter filter, int level, boolean huffmanOnly) implements java.io.Serializable {

        /** seedgrid's setting (see the class comment). */
        public static final Compression DEFAULT = new Compression(Filter.ADAPTIVE, 6, true);

        public Compression {
            if (filter == null) {
                throw new IllegalArgumentException("a PNG compression needs a filter");
            }
            if (level < 0 || level > 9) {
                throw new IllegalArgumentException("a zlib level is 0 to 9, got " + level);
            }
            if (huffmanOnly && level == 0) {
                throw new IllegalArgumentException("zlib stores level 0 uncompressed: Huffman coding needs a level of 1 to 9");
            }
        }

        /** {@code filter/level N} or {@code filter/huffman}, e.g. {@code adaptive/huffman}. */
        public String label() {
            return filter.name().toLowerCase(java.util.Locale.ROOT) + "/" + (huffmanOnly ? "huffman" : "level " + level);
        }
    }

    private PngEncoder() {
    }

    /** The PNG bytes of {@code image} with {@code text} chunks in the map's iteration order. */
    public static byte[] encode(RgbImage image, Map<String, String> text) {
        return encode(image, text, Compression.DEFAULT);
    }

    /** The PNG bytes of {@code image} with {@code text} chunks, its pixels compressed as {@code compression} says. */
    public static byte[] encode(RgbImage image, Map<String, String> text, Compression compression) {
        try {
            byte[] idat = pixels(image, compression);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(idat.length + 1024);
            bytes.write(SIGNATURE);
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream ih = new DataOutputStream(ihdr);
            ih.writeInt(image.width());
            ih.writeInt(image.height());
            ih.writeByte(8);  // bit depth
            ih.writeByte(2);  // colour type: truecolour
            ih.writeByte(0);  // compression: deflate
            ih.writeByte(0);  // filter method 0
            ih.writeByte(0);  // no interlace
            chunk(bytes, "IHDR", ihdr.toByteArray());
            for (Map.Entry<String, String> entry : text.entrySet()) {
                chunk(bytes, latin1(entry.getValue()) ? "tEXt" : "iTXt", textChunk(entry.getKey(), entry.getValue()));
            }
            chunk(bytes, "IDAT", idat);
            chunk(bytes, "IEND", new byte[0]);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }

    private static boolean latin1(String value) {
        CharsetEncoder encoder = StandardCharsets.ISO_8859_1.newEncoder();
        return encoder.canEncode(value);
    }

    private static byte[] textChunk(String keyword, String value) {
        if (keyword.isEmpty() || keyword.length() > 79 || !latin1(keyword)) {
            throw new IllegalArgumentException("a PNG text keyword has 1-79 Latin-1 characters: '" + keyword + "'");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        if (latin1(value)) {
            out.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            out.write(0); // compression flag: uncompressed
            out.write(0); // compression method
            out.write(0); // empty language tag
            out.write(0); // empty translated keyword
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The zlib stream of the filtered rows. */
    private static byte[] pixels(RgbImage image, Compression compression) {
        byte[] raw = RowFilters.apply(image.rgb(), image.width(), image.height(), compression.filter());
        Deflater deflater = new Deflater(compression.level());
        try {
            if (compression.huffmanOnly()) {
                deflater.setStrategy(Deflater.HUFFMAN_ONLY);
            }
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        d.write(typeBytes);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
