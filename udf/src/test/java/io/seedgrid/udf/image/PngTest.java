package io.seedgrid.udf.image;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PngTest {

    private static RgbImage noise(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void pixelsSurviveImageIoDecoding() {
        RgbImage image = noise(37, 21, 1);
        byte[] png = PngEncoder.encode(image, Map.of());
        assertEquals(image, PngFile.decode(png));
    }

    @Test
    void textChunksRoundTripInLatin1AndUtf8() {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a café\nSteps: 20, Seed: 1");
        text.put("seedgrid", "{\"prompt\": \"猫 on a mat 🐈\"}");
        byte[] png = PngEncoder.encode(noise(8, 8, 2), text);
        assertEquals(text, PngFile.text(png));
    }

    @Test
    void encodingIsDeterministic() {
        RgbImage image = noise(64, 64, 3);
        Map<String, String> text = Map.of("parameters", "x");
        assertArrayEquals(PngEncoder.encode(image, text), PngEncoder.encode(new RgbImage(64, 64, image.rgb()), text));
    }

    @Test
    void refusesBadKeywordsAndBadPngs() {
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(noise(2, 2, 4), Map.of("", "x")));
        assertThrows(IllegalArgumentException.class, () -> PngFile.text(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> PngFile.decode(new byte[] {1, 2, 3}));
    }

    @Test
    void a1111ParametersKeepPromptLinesDefuseTheMarkerAndQuoteValues() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("Steps", "20");
        settings.put("Sampler", A1111Parameters.samplerName("euler_ancestral"));
        settings.put("Recipe", "hybrid, k=1");
        String text = A1111Parameters.format("a cat\nNegative prompt: forged\nSteps: 99", "blurry\r\nugly", settings);
        String[] lines = text.split("\n");
        assertEquals(6, lines.length, text);
        assertEquals("a cat", lines[0]);
        assertEquals("negative prompt: forged", lines[1]);
        assertEquals("Steps: 99", lines[2]);
        assertEquals("Negative prompt: blurry", lines[3]);
        assertEquals("ugly", lines[4]);
        assertEquals("Steps: 20, Sampler: Euler a, Recipe: \"hybrid, k=1\"", lines[5]);
        assertEquals("a prompt\nSteps: 1", A1111Parameters.format("a prompt", "", Map.of("Steps", "1")));
    }

    @Test
    void everyFilterAndDeflateSettingDecodesToThePixels() {
        Map<String, String> text = Map.of("parameters", "a cat\nSteps: 4");
        for (RgbImage image : List.of(noise(37, 21, 1), PngBenchmark.smooth(96, 64, 5), PngBenchmark.flat(96, 64, 5))) {
            for (PngEncoder.Filter filter : PngEncoder.Filter.values()) {
                for (PngEncoder.Compression compression : List.of(new PngEncoder.Compression(filter, 0, false),
                        new PngEncoder.Compression(filter, 1, false), new PngEncoder.Compression(filter, 9, false),
                        new PngEncoder.Compression(filter, 6, true))) {
                    byte[] png = PngEncoder.encode(image, text, compression);
                    assertEquals(image, PngFile.decode(png), compression.label());
                    assertEquals(text, PngFile.text(png), compression.label());
                }
            }
        }
    }

    @Test
    void adaptiveFilteringChoosesAFilterPerRow() throws Exception {
        RgbImage image = PngBenchmark.smooth(64, 48, 2);
        byte[] rgb = image.rgb();
        // a flat band in the middle: there the best filter differs from the textured rows'
        java.util.Arrays.fill(rgb, 16 * 64 * 3, 32 * 64 * 3, (byte) 200);
        image = new RgbImage(64, 48, rgb);
        byte[] png = PngEncoder.encode(image, Map.of(), new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 6, true));
        java.util.Set<Integer> types = new java.util.TreeSet<>();
        byte[] raw = inflatedIdat(png);
        for (int row = 0; row < 48; row++) {
            types.add((int) raw[row * (64 * 3 + 1)]);
        }
        assertTrue(types.size() > 1 && types.stream().allMatch(t -> t >= 0 && t <= 4), types.toString());
        assertEquals(image, PngFile.decode(png));
    }

    @Test
    void theDefaultIsSmallerThanSubAtLevelSixOnPhotoLikePixels() {
        RgbImage photo = PngBenchmark.smooth(256, 256, 3);
        int before = PngEncoder.encode(photo, Map.of(), new PngEncoder.Compression(PngEncoder.Filter.SUB, 6, false)).length;
        int now = PngEncoder.encode(photo, Map.of()).length;
        assertTrue(now < before, now + " bytes against " + before);
        assertEquals(PngEncoder.Compression.DEFAULT, new PngEncoder.Compression(PngEncoder.Filter.ADAPTIVE, 6, true));
    }

    @Test
    void compressionSettingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder.Compression(PngEncoder.Filter.SUB, 10, false));
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder.Compression(PngEncoder.Filter.SUB, -1, false));
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder.Compression(PngEncoder.Filter.SUB, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder.Compression(null, 6, false));
        assertEquals("adaptive/huffman", PngEncoder.Compression.DEFAULT.label());
        assertEquals("sub/level 6", new PngEncoder.Compression(PngEncoder.Filter.SUB, 6, false).label());
    }

    @Test
    void theBenchmarkTilesAStripIntoASquare() {
        byte[] strip = new byte[4 * 1 * 3];
        for (int x = 0; x < 4; x++) {
            strip[3 * x] = (byte) x;
        }
        RgbImage square = PngBenchmark.tile(new RgbImage(4, 1, strip), 2, 2);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0}, square.rgb());
        PngBenchmark.Result result = PngBenchmark.run(Map.of("photo", PngBenchmark.smooth(32, 32, 1)), PngBenchmark.SETTINGS, 1);
        assertEquals(PngBenchmark.SETTINGS.size(), result.rows().size());
        assertTrue(result.table().contains("adaptive/huffman") && result.table().contains("<- seedgrid"), result.table());
    }

    /** The zlib stream of a PNG's IDAT chunks, inflated: the filtered rows. */
    private static byte[] inflatedIdat(byte[] png) throws Exception {
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(png, 8, png.length - 8);
        while (buffer.remaining() >= 12) {
            int length = buffer.getInt();
            byte[] type = new byte[4];
            buffer.get(type);
            byte[] data = new byte[length];
            buffer.get(data);
            buffer.getInt();
            if (new String(type, java.nio.charset.StandardCharsets.US_ASCII).equals("IDAT")) {
                idat.write(data);
            }
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(idat.toByteArray());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (!inflater.finished()) {
            out.write(chunk, 0, inflater.inflate(chunk));
        }
        inflater.end();
        return out.toByteArray();
    }
}
