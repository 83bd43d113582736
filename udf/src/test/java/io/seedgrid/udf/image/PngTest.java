package io.seedgrid.udf.image;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
