package io.seedgrid.jobs.report;

import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.PngEncoder;
import io.seedgrid.udf.image.ResampleFilter;
import io.seedgrid.udf.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's pieces without Spark: escaping, thumbnails, numbers, metric directions, options. */
class ReportPartsTest {

    @Test
    void escapingReplacesEveryCharacterThatCanEndTextOrAnAttribute() {
        assertEquals(ReportFixtures.HOSTILE_PROMPT_ESCAPED, Html.escape(ReportFixtures.HOSTILE_PROMPT));
        assertEquals("a &amp;amp; b", Html.escape("a &amp; b"), "already escaped text is escaped again, shown as typed");
        assertEquals("x\uFFFDy\tz\n", Html.escape("x\u0000y\tz\n"));
        assertEquals("", Html.escape(null));
        assertEquals("ünïcødé ✓ 猫", Html.escape("ünïcødé ✓ 猫"));
    }

    @Test
    void thumbnailsFitTheLongSideAndAreNeverScaledUp() {
        assertArrayEquals(new int[] {160, 160}, Thumbnail.fit(1024, 1024, 160));
        assertArrayEquals(new int[] {160, 120}, Thumbnail.fit(1024, 768, 160));
        assertArrayEquals(new int[] {90, 160}, Thumbnail.fit(576, 1024, 160));
        assertArrayEquals(new int[] {64, 48}, Thumbnail.fit(64, 48, 160));
        assertArrayEquals(new int[] {160, 1}, Thumbnail.fit(4000, 1, 160));

        Random random = new Random(7);
        byte[] rgb = new byte[96 * 40 * 3];
        random.nextBytes(rgb);
        RgbImage image = new RgbImage(96, 40, rgb);
        byte[] png = PngEncoder.encode(image, Map.of("parameters", "a prompt"));
        Thumbnail small = Thumbnail.of(png, 48);
        assertEquals(48, small.width());
        assertEquals(20, small.height());
        assertEquals(image.resize(48, 20, ResampleFilter.BICUBIC), PngFile.decode(small.png()));
        assertEquals(Map.of(), PngFile.text(small.png()), "the thumbnail carries no text chunks");
        assertEquals(image, PngFile.decode(Thumbnail.of(png, 96).png()));
    }

    @Test
    void numbersHaveFourSignificantDigitsAndDifferencesASign() {
        assertEquals("0.3370 [0.3012, 0.3702]", ReportNumbers.interval(0.337, 0.30123, 0.37019));
        assertEquals("+0.01230 [-0.004500, +0.02900]", ReportNumbers.difference(0.0123, -0.0045, 0.029));
        assertEquals("2.157", ReportNumbers.format(2.1573004833739833));
        assertEquals("–", ReportNumbers.interval(null, null, null));
        assertEquals("–", ReportNumbers.format(Double.NaN));
        assertEquals("812 B", ReportNumbers.bytes(812));
        assertEquals("34.5 kB", ReportNumbers.bytes(34_512));
        assertEquals("12.3 MB", ReportNumbers.bytes(12_345_678));
    }

    @Test
    void distancesAndVendiScoresReadAsDiversityTheClipScoreAsAdherence() {
        for (String metric : new String[] {"lpips_mean", "dreamsim_distance_mean", "ms_ssim_distance_mean",
                "ssim_distance_mean", "clip_vendi", "clip_vendi_q2", "pixel_vendi", "pixel_vendi_q2"}) {
            assertEquals(MetricDirection.DIVERSITY, MetricDirection.of(metric), metric);
        }
        assertEquals(MetricDirection.ADHERENCE, MetricDirection.of("clip_score_mean"));
        assertEquals(MetricDirection.UNKNOWN, MetricDirection.of("something_else"));
        assertTrue(MetricDirection.DIVERSITY.label().contains("more diverse"));
    }

    @Test
    void optionsOutsideTheirRangeAreBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new ReportOptions(-1, 16, 160));
        assertThrows(IllegalArgumentException.class, () -> new ReportOptions(50, 0, 160));
        assertThrows(IllegalArgumentException.class, () -> new ReportOptions(50, 16, 8));
        assertEquals(new ReportOptions(24, 8, 128), ReportOptions.defaults());
    }
}
