package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vendi against scipy (tools/reference/metrics/vendi_reference.py) and closed forms. */
class VendiTest {
    private static final Map<String, Double> ORDERS = Map.of("0.5", 0.5, "1", 1.0, "2", 2.0, "3", 3.0,
            "inf", Double.POSITIVE_INFINITY);

    @Test
    void designExample() {
        double[][] k = {{1, .9, 0}, {.9, 1, 0}, {0, 0, 1}};
        assertEquals(2.1573004833739833, Vendi.score(k), 1e-14);
    }

    @Test
    void matchesScipyForAllOrders() {
        JsonNode golden = Fixtures.golden("vendi.json");
        int checked = 0;
        for (JsonNode c : golden.get("cases")) {
            double[][] kernel;
            if (c.has("kernel")) {
                kernel = matrix(c.get("kernel"));
            } else {
                List<float[]> emb = new ArrayList<>();
                c.get("embeddings").forEach(r -> emb.add(Fixtures.floats(r)));
                for (var e : ORDERS.entrySet()) {
                    double expected = c.get("scores").get(e.getKey()).asDouble();
                    assertEquals(expected, Vendi.ofEmbeddings(emb, e.getValue()), 1e-12 * expected,
                            c.get("name").asText() + " q=" + e.getKey());
                    checked++;
                }
                continue;
            }
            for (var e : ORDERS.entrySet()) {
                double expected = c.get("scores").get(e.getKey()).asDouble();
                assertEquals(expected, Vendi.score(kernel, e.getValue()), 1e-12 * expected, "q=" + e.getKey());
                checked++;
            }
        }
        assertEquals(20, checked);
    }

    @Test
    void orderTwoClosedFormAgreesWithEigenvalues() {
        double[][] k = {{1, .3, .2, -.1}, {.3, 1, .5, 0}, {.2, .5, 1, .4}, {-.1, 0, .4, 1}};
        double[][] scaled = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                scaled[i][j] = k[i][j] / 4;
            }
        }
        double sumSquares = 0;
        for (double l : SymmetricEigen.eigenvalues(scaled)) {
            sumSquares += l * l;
        }
        assertEquals(1 / sumSquares, Vendi.score(k, 2), 1e-12);
        // and the general formula approaches it from both sides
        assertEquals(Vendi.score(k, 2), Vendi.score(k, 2 + 1e-7), 1e-5);
        assertEquals(Vendi.score(k, 1), Vendi.score(k, 1 + 1e-7), 1e-5);
    }

    @Test
    void extremes() {
        List<float[]> same = List.of(new float[] {1, 2}, new float[] {2, 4}, new float[] {0.5f, 1});
        assertEquals(1.0, Vendi.ofEmbeddings(same, 1), 1e-9);
        List<float[]> orthogonal = List.of(new float[] {1, 0, 0}, new float[] {0, 3, 0}, new float[] {0, 0, 2});
        for (double q : ORDERS.values()) {
            assertEquals(3.0, Vendi.ofEmbeddings(orthogonal, q), 1e-12);
        }
        assertEquals(1.0, Vendi.score(new double[][] {{1}}), 0);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Vendi.score(new double[0][0]));
        assertThrows(IllegalArgumentException.class, () -> Vendi.ofEmbeddings(List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> Vendi.score(new double[][] {{1, .2}, {.3, 1}}));
        assertThrows(IllegalArgumentException.class, () -> Vendi.score(new double[][] {{2, 0}, {0, 1}}));
        assertThrows(IllegalArgumentException.class, () -> Vendi.score(new double[][] {{1}}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Vendi.ofEmbeddings(List.of(new float[] {1, 0}, new float[] {0, 0}), 1));
        assertThrows(IllegalArgumentException.class, () -> PixelVendi.score(List.of()));
    }

    @Test
    void pixelVendiMatchesVendiScoreDefinition() {
        JsonNode pixel = Fixtures.golden("vendi.json").get("pixel");
        List<RgbImage> images = new ArrayList<>();
        pixel.get("images").forEach(n -> images.add(Fixtures.image(n.asText())));
        for (var e : ORDERS.entrySet()) {
            double expected = pixel.get("scores").get(e.getKey()).asDouble();
            assertEquals(expected, PixelVendi.score(images, e.getValue()), 1e-12 * expected, "q=" + e.getKey());
        }
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new double[rows.get(i).size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = rows.get(i).get(j).asDouble();
            }
        }
        return m;
    }
}
