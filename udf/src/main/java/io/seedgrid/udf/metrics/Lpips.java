package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;

/**
 * LPIPS v0.1 distances (Zhang, Isola, Efros, Shechtman & Wang 2018, "The Unreasonable Effectiveness
 * of Deep Features as a Perceptual Metric", eq. 1; richzhang/PerceptualSimilarity lpips/lpips.py):
 * <pre>
 *   d(x0, x1) = sum_l sum_c w_lc * mean_hw (f0_hat - f1_hat)^2,   f_hat = f / (||f||_channels + 1e-10)
 * </pre>
 * with f the backbone activations of layer l at each position (h, w), the norm taken over channels.
 * Images enter in [-1, 1] (v / 127.5 - 1); the ScalingLayer is inside the ONNX graph.
 *
 * <p>Groups: {@link #features} runs the network once per image and keeps its normalised, weighted
 * features ({@link LpipsFeatures}); {@link #allPairs} then computes every pair from the cache.
 * {@link #naiveDistance} evaluates the network on both images of a pair and the formula directly;
 * it exists to check and benchmark the cached path.
 */
public final class Lpips {
    static final double EPS = 1e-10;
    /** Floats per block when computing all pairs: a block of every image stays in cache. */
    private static final int BLOCK = 4096;
    /** Largest batch of images per network run when computing features of a group. */
    static final int BATCH = 4;

    private final LpipsModel model;

    public Lpips(LpipsModel model) {
        this.model = model;
    }

    public LpipsModel model() {
        return model;
    }

    /** Runs the backbone on one image and caches its scaled, normalised features. */
    public LpipsFeatures features(RgbImage image) throws OrtException {
        return features(List.of(image), 1).get(0);
    }

    /**
     * Features of each image, in order; consecutive same-size images run through the network in
     * batches of up to {@value #BATCH} (each image still runs exactly once).
     */
    public List<LpipsFeatures> features(List<RgbImage> images) throws OrtException {
        return features(images, BATCH);
    }

    List<LpipsFeatures> features(List<RgbImage> images, int maxBatch) throws OrtException {
        List<LpipsFeatures> out = new ArrayList<>(images.size());
        int start = 0;
        while (start < images.size()) {
            RgbImage first = images.get(start);
            int end = start + 1;
            while (end < images.size() && end - start < maxBatch && images.get(end).sameSize(first)) {
                end++;
            }
            int batch = end - start;
            int imageFloats = 3 * first.width() * first.height();
            float[] input = new float[batch * imageFloats];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(images.get(start + b).toChwSigned(), 0, input, b * imageFloats, imageFloats);
            }
            List<LpipsModel.Activation> layers = model.run(input, batch, first.height(), first.width());
            for (int b = 0; b < batch; b++) {
                out.add(new LpipsFeatures(model, first.width(), first.height(), scaledFeatures(layers, b)));
            }
            start = end;
        }
        return out;
    }

    /** Image {@code b}'s activations, unit-normalised over channels and scaled by sqrt(w / HW). */
    private float[] scaledFeatures(List<LpipsModel.Activation> layers, int b) {
        LpipsSpec spec = model.spec();
        int total = 0;
        for (int l = 0; l < layers.size(); l++) {
            total += layers.get(l).plane() * nonZeroWeights(spec, l);
        }
        float[] out = new float[total];
        int offset = 0;
        for (int l = 0; l < layers.size(); l++) {
            LpipsModel.Activation a = layers.get(l);
            int plane = a.plane();
            int imageOffset = b * a.channels() * plane;
            double[] inverseNorm = inverseNorms(a.data(), imageOffset, a.channels(), plane);
            for (int c = 0; c < a.channels(); c++) {
                float w = spec.weight(l, c);
                if (w == 0f) {
                    continue;
                }
                double scale = Math.sqrt(w / (double) plane);
                int base = imageOffset + c * plane;
                for (int p = 0; p < plane; p++) {
                    out[offset + p] = (float) (a.data()[base + p] * inverseNorm[p] * scale);
                }
                offset += plane;
            }
        }
        return out;
    }

    /** LPIPS distances of all pairs of a group of at least two same-size images, from their caches. */
    public static PairwiseDistances allPairs(List<LpipsFeatures> group) {
        int n = group.size();
        if (n < 2) {
            throw new IllegalArgumentException("LPIPS of a group needs at least 2 images, got " + n);
        }
        for (int i = 1; i < n; i++) {
            group.get(0).requireComparable(group.get(i));
        }
        float[][] v = new float[n][];
        for (int i = 0; i < n; i++) {
            v[i] = group.get(i).vector();
        }
        int length = v[0].length;
        double[] sums = new double[n * (n - 1) / 2];
        // Blocked over the feature vectors so that each block of all n images is read from cache
        // for its n(n-1)/2 pairs, instead of streaming two full vectors from memory per pair.
        for (int from = 0; from < length; from += BLOCK) {
            int to = Math.min(length, from + BLOCK);
            for (int i = 0, k = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++, k++) {
                    sums[k] += LpipsFeatures.squaredDistance(v[i], v[j], from, to);
                }
            }
        }
        return new PairwiseDistances(n, sums);
    }

    /** Convenience: features of each image, then {@link #allPairs}. */
    public PairwiseDistances allPairsOfImages(List<RgbImage> images) throws OrtException {
        if (images.size() < 2) {
            throw new IllegalArgumentException("LPIPS of a group needs at least 2 images, got " + images.size());
        }
        return allPairs(features(images));
    }

    /**
     * The textbook path: both images through the network as a batch of two, then the formula per
     * layer and position. Same value as the cached path up to float rounding; n(n-1) network runs
     * for a group instead of n, so use it only to check or benchmark.
     */
    public double naiveDistance(RgbImage a, RgbImage b) throws OrtException {
        if (!a.sameSize(b)) {
            throw new IllegalArgumentException("LPIPS compares images of the same size, got " + a.width() + "x"
                    + a.height() + " and " + b.width() + "x" + b.height());
        }
        float[] ca = a.toChwSigned();
        float[] cb = b.toChwSigned();
        float[] batch = new float[ca.length * 2];
        System.arraycopy(ca, 0, batch, 0, ca.length);
        System.arraycopy(cb, 0, batch, ca.length, cb.length);
        List<LpipsModel.Activation> layers = model.run(batch, 2, a.height(), a.width());
        LpipsSpec spec = model.spec();
        double d = 0;
        for (int l = 0; l < layers.size(); l++) {
            LpipsModel.Activation act = layers.get(l);
            int plane = act.plane();
            int second = act.channels() * plane;
            double[] inv0 = inverseNorms(act.data(), 0, act.channels(), plane);
            double[] inv1 = inverseNorms(act.data(), second, act.channels(), plane);
            double layerSum = 0;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < act.channels(); c++) {
                    double diff = act.data()[c * plane + p] * inv0[p] - act.data()[second + c * plane + p] * inv1[p];
                    layerSum += spec.weight(l, c) * diff * diff;
                }
            }
            d += layerSum / plane;
        }
        return d;
    }

    /** 1 / (||f(p)||_channels + 1e-10) per position p of the [C, plane] block starting at {@code offset}. */
    private static double[] inverseNorms(float[] data, int offset, int channels, int plane) {
        double[] sq = new double[plane];
        for (int c = 0; c < channels; c++) {
            int base = offset + c * plane;
            for (int p = 0; p < plane; p++) {
                double v = data[base + p];
                sq[p] += v * v;
            }
        }
        for (int p = 0; p < plane; p++) {
            sq[p] = 1.0 / (Math.sqrt(sq[p]) + EPS);
        }
        return sq;
    }

    private static int nonZeroWeights(LpipsSpec spec, int l) {
        int count = 0;
        for (int c = 0; c < spec.channels(l); c++) {
            if (spec.weight(l, c) != 0f) {
                count++;
            }
        }
        return count;
    }
}
