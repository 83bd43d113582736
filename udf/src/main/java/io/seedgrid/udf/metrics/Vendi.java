package io.seedgrid.udf.metrics;

import java.util.List;

/**
 * The Vendi score, the effective number of distinct items in a group (Friedman & Dieng 2023, "The
 * Vendi Score: A Diversity Evaluation Metric for Machine Learning", TMLR, eq. 1), and its order-q
 * generalisation (Pasarkar & Dieng 2024, "Cousins of the Vendi Score", the Hill numbers of the
 * kernel's eigenvalues).
 *
 * <p>K is an n x n positive semi-definite similarity matrix with K_ii = 1; lambda_i are the
 * eigenvalues of K / n (they sum to 1). Only positive eigenvalues enter the sums, as in
 * vertaix/Vendi-Score; here "positive" means above 1e-14 times the largest: a rank-deficient K (more
 * items than dimensions, duplicates) has zero eigenvalues that rounding turns into +-1e-17, and
 * with q < 1 such noise would move the score in the 8th digit depending on the solver:
 * <pre>
 *   q = 1:        VS = exp(-sum_i lambda_i log lambda_i)
 *   q = 2:        VS = 1 / sum_i lambda_i^2 = n^2 / sum_ij K_ij^2    (sum lambda^2 = trace((K/n)^2))
 *   q = infinity: VS = 1 / max_i lambda_i
 *   other q > 0:  VS = (sum_i lambda_i^q)^(1 / (1 - q))
 * </pre>
 * VS ranges from 1 (all items identical) to n (all orthogonal). Note that vertaix/Vendi-Score's
 * {@code score_X} (embeddings) always uses q = 1 whatever q it is given; here q is honoured.
 */
public final class Vendi {
    /** Eigenvalues up to this fraction of the largest count as zero (rounding noise). */
    static final double ZERO = 1e-14;

    private Vendi() {
    }

    /** Order-1 Vendi score of a similarity matrix. */
    public static double score(double[][] kernel) {
        return score(kernel, 1.0);
    }

    /**
     * Order-q Vendi score of a similarity matrix.
     *
     * @param q order, {@code > 0}; {@link Double#POSITIVE_INFINITY} for q = infinity
     */
    public static double score(double[][] kernel, double q) {
        if (!(q > 0)) {
            throw new IllegalArgumentException("Vendi order q must be > 0 (or infinity), got " + q);
        }
        int n = validate(kernel);
        if (q == 2.0) {
            double sumSquares = 0;
            for (double[] row : kernel) {
                for (double v : row) {
                    sumSquares += v * v;
                }
            }
            return (double) n * n / sumSquares;
        }
        double[][] scaled = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scaled[i][j] = kernel[i][j] / n;
            }
        }
        double[] lambda = SymmetricEigen.eigenvalues(scaled);
        if (q == Double.POSITIVE_INFINITY) {
            return 1.0 / lambda[n - 1];
        }
        double zero = ZERO * lambda[n - 1];
        if (q == 1.0) {
            double entropy = 0;
            for (double l : lambda) {
                if (l > zero) {
                    entropy -= l * Math.log(l);
                }
            }
            return Math.exp(entropy);
        }
        double sum = 0;
        for (double l : lambda) {
            if (l > zero) {
                sum += Math.pow(l, q);
            }
        }
        return Math.pow(sum, 1.0 / (1.0 - q));
    }

    /** Order-q Vendi score of embeddings under the cosine-similarity kernel. */
    public static double ofEmbeddings(List<float[]> embeddings, double q) {
        double[][] rows = new double[embeddings.size()][];
        for (int i = 0; i < rows.length; i++) {
            float[] e = embeddings.get(i);
            rows[i] = new double[e.length];
            for (int j = 0; j < e.length; j++) {
                rows[i][j] = e[j];
            }
        }
        return score(cosineKernel(rows), q);
    }

    /** K_ij = x_i . x_j / (|x_i| |x_j|), computed in double precision. */
    static double[][] cosineKernel(double[][] rows) {
        int n = rows.length;
        if (n == 0) {
            throw new IllegalArgumentException("Vendi score of an empty group: at least one item is needed");
        }
        double[][] unit = new double[n][];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != rows[0].length) {
                throw new IllegalArgumentException("vectors of different lengths: item 0 has " + rows[0].length
                        + ", item " + i + " has " + rows[i].length);
            }
            double norm = 0;
            for (double v : rows[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || Double.isInfinite(norm)) {
                throw new IllegalArgumentException("item " + i + " has norm " + norm + ": cosine similarity is undefined");
            }
            unit[i] = new double[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                unit[i][j] = rows[i][j] / norm;
            }
        }
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            k[i][i] = 1.0;
            for (int j = i + 1; j < n; j++) {
                double dot = 0;
                for (int d = 0; d < unit[i].length; d++) {
                    dot += unit[i][d] * unit[j][d];
                }
                k[i][j] = dot;
                k[j][i] = dot;
            }
        }
        return k;
    }

    private static int validate(double[][] kernel) {
        int n = kernel.length;
        if (n == 0) {
            throw new IllegalArgumentException("Vendi score of an empty group: at least one item is needed");
        }
        for (int i = 0; i < n; i++) {
            if (kernel[i].length != n) {
                throw new IllegalArgumentException("similarity matrix is not square: row " + i + " has "
                        + kernel[i].length + " entries, expected " + n);
            }
            if (Math.abs(kernel[i][i] - 1.0) > 1e-6) {
                throw new IllegalArgumentException("similarity matrix needs K_ii = 1, got K[" + i + "][" + i + "] = "
                        + kernel[i][i]);
            }
            for (int j = 0; j < i; j++) {
                if (!Double.isFinite(kernel[i][j]) || Math.abs(kernel[i][j] - kernel[j][i]) > 1e-9) {
                    throw new IllegalArgumentException("similarity matrix is not symmetric and finite at (" + i + ", "
                            + j + "): " + kernel[i][j] + " vs " + kernel[j][i]);
                }
            }
        }
        return n;
    }
}
