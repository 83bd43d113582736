package io.seedgrid.udf.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Reads PNGs back: pixels (any PNG ImageIO decodes) and text chunks ({@code tEXt}, {@code iTXt}, {@code zTXt}). */
public final class PngFile {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngFile() {
    }

    /**
     * The pixels of a PNG (or any format javax.imageio reads) as 8-bit RGB, like PIL's
     * {@code convert("RGB")}: grey images are replicated into three channels and an alpha channel is
     * dropped (not composited).
     *
     * @throws IllegalArgumentException when the bytes are not a decodable image
     */
    public static RgbImage decode(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode image (" + png.length + " bytes): " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("cannot decode image (" + png.length + " bytes): no reader for this format");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean plain8Bit = image.getColorModel() instanceof ComponentColorModel
                && raster.getTransferType() == DataBuffer.TYPE_BYTE && bands >= 1 && bands <= 4;
        if (plain8Bit) {
            // Raw samples in colour-model band order (R, G, B[, A] or grey[, A]): no colour conversion,
            // which getRGB would apply to grey images (Java treats grey as linear light).
            int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
            boolean grey = bands <= 2;
            for (int p = 0, s = 0, o = 0; p < w * h; p++, s += bands, o += 3) {
                out[o] = (byte) samples[s];
                out[o + 1] = (byte) samples[grey ? s : s + 1];
                out[o + 2] = (byte) samples[grey ? s : s + 2];
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0, o = 0; p < argb.length; p++, o += 3) {
                out[o] = (byte) (argb[p] >> 16);
                out[o + 1] = (byte) (argb[p] >> 8);
                out[o + 2] = (byte) argb[p];
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /** The text chunks of a PNG, keyword to value, in file order. */
    public static Map<String, String> text(byte[] png) {
        if (png.length < 8 || !Arrays.equals(Arrays.copyOf(png, 8), SIGNATURE)) {
            throw new IllegalArgumentException("not a PNG (bad signature)");
        }
        Map<String, String> text = new LinkedHashMap<>();
        ByteBuffer buffer = ByteBuffer.wrap(png, 8, png.length - 8);
        while (buffer.remaining() >= 12) {
            int length = buffer.getInt();
            byte[] type = new byte[4];
            buffer.get(type);
            if (length < 0 || length > buffer.remaining() - 4) {
                throw new IllegalArgumentException("truncated PNG chunk");
            }
            byte[] data = new byte[length];
            buffer.get(data);
            buffer.getInt(); // CRC
            String kind = new String(type, StandardCharsets.US_ASCII);
            switch (kind) {
                case "tEXt" -> {
                    int nul = indexOf(data, 0);
                    text.put(latin1(data, 0, nul), latin1(data, nul + 1, data.length));
                }
                case "zTXt" -> {
                    int nul = indexOf(data, 0);
                    text.put(latin1(data, 0, nul), new String(inflate(Arrays.copyOfRange(data, nul + 2, data.length)),
                            StandardCharsets.ISO_8859_1));
                }
                case "iTXt" -> {
                    int nul = indexOf(data, 0);
                    boolean compressed = data[nul + 1] != 0;
                    int language = indexOf(data, nul + 3);
                    int translated = indexOf(data, language + 1);
                    byte[] value = Arrays.copyOfRange(data, translated + 1, data.length);
                    text.put(latin1(data, 0, nul), new String(compressed ? inflate(value) : value, StandardCharsets.UTF_8));
                }
                case "IEND" -> {
                    return text;
                }
                default -> {
                    // pixels and other chunks are not text
                }
            }
        }
        return text;
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("malformed PNG text chunk");
    }

    private static String latin1(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static byte[] inflate(byte[] data) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException("truncated compressed PNG text");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt compressed PNG text", e);
        } finally {
            inflater.end();
        }
    }
}
