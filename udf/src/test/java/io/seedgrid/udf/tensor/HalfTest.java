package io.seedgrid.udf.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import io.seedgrid.udf.testing.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    @Test
    void roundsLikeNumpy() {
        JsonNode golden = Golden.json("golden/tensor/half.json");
        JsonNode floats = golden.get("float_bits");
        JsonNode halves = golden.get("half_bits");
        assertTrue(floats.size() > 1000);
        for (int i = 0; i < floats.size(); i++) {
            float value = Float.intBitsToFloat((int) floats.get(i).asLong());
            assertEquals(halves.get(i).asInt(), Half.fromFloat(value) & 0xffff, "float " + value);
        }
    }

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = Half.toFloat((short) bits);
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(value))));
            } else {
                assertEquals(bits, Half.fromFloat(value) & 0xffff, "half bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(1.0f, Half.toFloat((short) 0x3c00));
        assertEquals(65504.0f, Half.toFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
        assertEquals(-2.0f, Half.toFloat((short) 0xc000));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7c00));
    }
}
