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
 * always give the same bytes, whatever the JVM or batch. A text value that Latin-1 can carry goes in a
 * {@code tEXt} chunk, any other in an uncompressed UTF-8 {@code iTXt} chunk — what PIL does, so that
 * A1111-style {@code parameters} readers find it either way.
 */
public final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngEncoder() {
    }

    /** The PNG bytes of {@code image} with {@code text} chunks in the map's iteration order. */
    public static byte[] encode(RgbImage image, Map<String, String> text) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.width() * image.height() + 1024);
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
            chunk(bytes, "IDAT", pixels(image));
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

    private static byte[] pixels(RgbImage image) {
        int stride = image.width() * 3;
        byte[] rgb = image.rgb();
        byte[] raw = new byte[(stride + 1) * image.height()];
        for (int y = 0; y < image.height(); y++) {
            int row = y * (stride + 1);
            raw[row] = 1; // filter type Sub: each byte minus the byte one pixel to the left
            for (int i = 0; i < stride; i++) {
                int left = i >= 3 ? rgb[y * stride + i - 3] : 0;
                raw[row + 1 + i] = (byte) (rgb[y * stride + i] - left);
            }
        }
        Deflater deflater = new Deflater(6);
        try {
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
