package io.seedgrid.udf.metrics;

import java.util.Arrays;

/**
 * Eigenvalues of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Matrix
 * Computations, 4th ed., section 8.5.3 "the cyclic Jacobi algorithm"), in double precision.
 *
 * <p>Each sweep visits every off-diagonal pair (p, q) in row order and applies the rotation that
 * zeroes a_pq (the symmetric Schur decomposition of the 2x2 block, section 8.5.2):
 * tau = (a_qq - a_pp) / (2 a_pq), t = sign(tau) / (|tau| + sqrt(1 + tau^2)), c = 1 / sqrt(1 + t^2),
 * s = t c, then A := J^T A J. The off-diagonal mass falls quadratically; sweeps stop when it is below
 * 1e-30 of the matrix's squared Frobenius norm. Jacobi is slow for large n (O(n^3) per sweep) but
 * accurate for small eigenvalues, and Vendi groups are small (seeds of one prompt).
 */
final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    private SymmetricEigen() {
    }

    /** Eigenvalues in ascending order; {@code matrix} must be square and symmetric and is not modified. */
    static double[] eigenvalues(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        double frobenius = 0;
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("matrix is not square: row " + i + " has " + matrix[i].length
                        + " entries, expected " + n);
            }
            a[i] = matrix[i].clone();
            for (int j = 0; j < n; j++) {
                frobenius += a[i][j] * a[i][j];
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            if (offDiagonal(a) <= 1e-30 * frobenius) {
                return sortedDiagonal(a);
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0.0) {
                        rotate(a, p, q);
                    }
                }
            }
        }
        if (offDiagonal(a) <= 1e-24 * frobenius) {
            return sortedDiagonal(a);
        }
        throw new IllegalStateException("Jacobi eigenvalue iteration did not converge in " + MAX_SWEEPS + " sweeps");
    }

    private static void rotate(double[][] a, int p, int q) {
        double tau = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        double c = 1 / Math.sqrt(1 + t * t);
        double s = t * c;
        int n = a.length;
        // columns p and q: A := A J
        for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        // rows p and q: A := J^T A
        for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        a[p][q] = 0.0;
        a[q][p] = 0.0;
    }

    private static double offDiagonal(double[][] a) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (i != j) {
                    sum += a[i][j] * a[i][j];
                }
            }
        }
        return sum;
    }

    private static double[] sortedDiagonal(double[][] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i][i];
        }
        Arrays.sort(d);
        return d;
    }
}
