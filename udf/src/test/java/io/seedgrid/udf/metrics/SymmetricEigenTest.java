package io.seedgrid.udf.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    @Test
    void twoByTwoClosedForm() {
        // [[a, b], [b, c]]: (a + c)/2 -/+ sqrt(((a - c)/2)^2 + b^2)
        double[] ev = SymmetricEigen.eigenvalues(new double[][] {{2, 1}, {1, 3}});
        double mid = 2.5;
        double r = Math.sqrt(0.25 + 1);
        assertArrayEquals(new double[] {mid - r, mid + r}, ev, 1e-15);
    }

    @Test
    void knownSpectrumAfterOrthogonalSimilarity() {
        // A = Q diag(d) Q^T with Q a product of Givens rotations: eigenvalues are d.
        int n = 9;
        double[] d = {-2, -0.5, 0, 1e-9, 0.25, 1, 3, 3, 10};
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            a[i][i] = d[i];
        }
        Random rnd = new Random(3);
        for (int r = 0; r < 40; r++) {
            int p = rnd.nextInt(n);
            int q = (p + 1 + rnd.nextInt(n - 1)) % n;
            double t = rnd.nextDouble() * Math.PI;
            double c = Math.cos(t);
            double s = Math.sin(t);
            for (int k = 0; k < n; k++) {
                double x = a[k][p];
                double y = a[k][q];
                a[k][p] = c * x - s * y;
                a[k][q] = s * x + c * y;
            }
            for (int k = 0; k < n; k++) {
                double x = a[p][k];
                double y = a[q][k];
                a[p][k] = c * x - s * y;
                a[q][k] = s * x + c * y;
            }
        }
        assertArrayEquals(d, SymmetricEigen.eigenvalues(a), 1e-12);
    }

    @Test
    void doesNotModifyInputAndRejectsNonSquare() {
        double[][] m = {{1, 0.5}, {0.5, 1}};
        SymmetricEigen.eigenvalues(m);
        assertEquals(0.5, m[0][1]);
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.eigenvalues(new double[][] {{1, 2}, {3}}));
    }
}
