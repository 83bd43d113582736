package io.seedgrid.udf.pipeline;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VaeDecoderTest {

    @Test
    void roundingIsRintOnEveryFloatOfTheRange() {
        // every float in [0, 255] with 8 bits of fraction covers all ties; random floats cover the rest
        for (int i = 0; i <= 255 * 256; i++) {
            float x = i / 256f;
            assertEquals((int) Math.rint(x), VaeDecoder.roundHalfEven(x), "x = " + x);
        }
        Random random = new Random(7);
        for (int i = 0; i < 1_000_000; i++) {
            float x = random.nextFloat() * 255f;
            assertEquals((int) Math.rint(x), VaeDecoder.roundHalfEven(x), "x = " + x);
        }
        assertEquals(2, VaeDecoder.roundHalfEven(2.5f));
        assertEquals(4, VaeDecoder.roundHalfEven(3.5f));
        assertEquals(255, VaeDecoder.roundHalfEven(255f));
    }
}
