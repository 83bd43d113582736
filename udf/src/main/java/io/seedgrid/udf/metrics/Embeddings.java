package io.seedgrid.udf.metrics;

/** Small vector helpers shared by the embedding metrics. */
final class Embeddings {
    private Embeddings() {
    }

    /** v / ||v|| as floats (norm in double precision). */
    static float[] normalised(float[] v, String what) {
        double norm = Math.sqrt(dot(v, v));
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException(what + " has norm " + norm + " and cannot be normalised");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Cosine similarity a.b / (|a| |b|), in double precision. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of different dimensions: " + a.length + " and " + b.length);
        }
        double na = Math.sqrt(dot(a, a));
        double nb = Math.sqrt(dot(b, b));
        if (!(na > 0) || !(nb > 0)) {
            throw new IllegalArgumentException("cosine similarity of a zero embedding is undefined");
        }
        return dot(a, b) / (na * nb);
    }
}
