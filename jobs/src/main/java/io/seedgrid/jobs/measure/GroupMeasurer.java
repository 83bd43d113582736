package io.seedgrid.jobs.measure;

import ai.onnxruntime.OrtException;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.metrics.ClipScore;
import io.seedgrid.udf.metrics.EmbeddingDistance;
import io.seedgrid.udf.metrics.Lpips;
import io.seedgrid.udf.metrics.MsSsim;
import io.seedgrid.udf.metrics.PixelVendi;
import io.seedgrid.udf.metrics.SsimFeatures;
import io.seedgrid.udf.metrics.Vendi;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Measures one group — the images of one prompt under one recipe — on an executor ({@link MeasureTask}).
 * Every image is decoded once, embedded once per encoder and run through the LPIPS backbone once; all
 * n(n-1)/2 pairs then come from those caches (LPIPS features, embeddings, SSIM statistics and pyramids).
 * A group's SSIM features cost about 78 MiB per 1024 x 1024 image ({@link SsimFeatures}), all held while its
 * pairs are computed.
 */
final class GroupMeasurer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final MetricColumns columns;
    private final String attempt;
    GroupMeasurer(MetricColumns columns, String attempt) {
        this.columns = columns;
        this.attempt = attempt;
    }

    /** One image of a group. */
    record Cell(String cellId, BigDecimal seed, byte[] png) {
    }

    /** The {@code groups/} row of a group without ok images: its failed count and no metrics. */
    MeasuredGroup empty(GroupPlan plan) {
        return new MeasuredGroup(List.of(), List.of(), groupRow(plan, new HashMap<>()));
    }

    /** Measures a group from its ok images, sorted by seed; {@code plan} lists the same cells. */
    MeasuredGroup measureGroup(GroupPlan plan, List<Cell> cells, MetricSuite suite) throws OrtException {
        TreeSet<String> received = new TreeSet<>();
        cells.forEach(c -> received.add(c.cellId()));
        if (!received.equals(new TreeSet<>(plan.okCells()))) {
            throw new IllegalStateException(plan.id() + ": expected the ok cells " + plan.okCells() + ", read " + received
                    + " (did images/ change while measuring?)");
        }
        List<RgbImage> images = new ArrayList<>(cells.size());
        for (Cell cell : cells) {
            if (cell.png() == null) {
                throw new IllegalStateException("cell " + cell.cellId() + " of " + plan.id()
                        + " has status ok but no image bytes in images/");
            }
            images.add(PngFile.decode(cell.png()));
        }
        int n = images.size();
        Map<String, double[]> distances = new LinkedHashMap<>();
        Map<String, Object> group = new HashMap<>();
        group.put("device", suite.device());
        if (suite.lpips() != null && n >= 2) {
            distances.put(MetricColumns.LPIPS, Lpips.allPairs(suite.lpips().features(images)).condensed());
        }
        List<Row> embeddingRows = new ArrayList<>();
        float[] prompt = suite.hasClip() ? suite.promptEmbedding(plan.prompt()) : null;
        for (int e = 0; e < suite.encoders().size(); e++) {
            MetricSuite.Encoder encoder = suite.encoders().get(e);
            List<float[]> vectors = encoder.embedder().embedAll(images);
            for (int i = 0; i < n; i++) {
                embeddingRows.add(RowFactory.create(cells.get(i).cellId(), plan.id().promptId(), plan.id().recipe(),
                        cells.get(i).seed(), encoder.column(), vectors.get(i), plan.key(), attempt));
            }
            if (n >= 2) {
                distances.put(MetricColumns.distance(encoder.column()), EmbeddingDistance.allPairs(vectors).condensed());
            }
            group.put(MetricColumns.vendi(encoder.column()), Vendi.ofEmbeddings(vectors, 1.0));
            group.put(MetricColumns.vendiQ2(encoder.column()), Vendi.ofEmbeddings(vectors, 2.0));
            group.put(MetricColumns.vendiQinf(encoder.column()), Vendi.ofEmbeddings(vectors, Double.POSITIVE_INFINITY));
            if (e == suite.clipEncoder()) {
                double sum = 0;
                for (float[] v : vectors) {
                    sum += ClipScore.of(v, prompt);
                }
                group.put(MetricColumns.CLIP_SCORE, sum / n);
            }
        }
        String msSsimMethod = null;
        if (n >= 2) {
            // SSIM and MS-SSIM from per-image features (means, variances, pyramids computed once per image; only
            // the filtered product per pair). Images under 161 px per side are upsampled (PIL bicubic, shorter side
            // 161) for MS-SSIM's five scales, and the method column says so.
            MsSsim.GroupDistances d = MsSsim.allPairs(images.stream().map(SsimFeatures::of).toList(), columns.msSsim());
            if (columns.msSsim()) {
                distances.put(MetricColumns.MS_SSIM, d.msSsim().condensed());
                msSsimMethod = d.method().label();
            }
            distances.put(MetricColumns.SSIM, d.ssim().condensed());
        }
        group.put(MetricColumns.PIXEL_VENDI, PixelVendi.score(images, 1.0));
        group.put(MetricColumns.PIXEL_VENDI + "_q2", PixelVendi.score(images, 2.0));
        group.put(MetricColumns.PIXEL_VENDI + "_qinf", PixelVendi.score(images, Double.POSITIVE_INFINITY));
        group.put(MetricColumns.MS_SSIM_METHOD, msSsimMethod);

        StructType pairSchema = columns.pairSchema();
        List<Row> pairRows = new ArrayList<>();
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, k++) {
                Map<String, Object> pair = new HashMap<>();
                pair.put("prompt_id", plan.id().promptId());
                pair.put("recipe", plan.id().recipe());
                pair.put("cell_a", cells.get(i).cellId());
                pair.put("cell_b", cells.get(j).cellId());
                pair.put("seed_a", cells.get(i).seed());
                pair.put("seed_b", cells.get(j).seed());
                for (Map.Entry<String, double[]> d : distances.entrySet()) {
                    pair.put(d.getKey(), d.getValue()[k]);
                }
                pair.put(MetricColumns.MS_SSIM_METHOD, msSsimMethod);
                pairRows.add(row(pairSchema, pair, plan));
            }
        }
        distances.forEach((metric, values) -> {
            double mean = 0;
            for (double v : values) {
                mean += v;
            }
            mean /= values.length;
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            group.put(metric + "_mean", mean);
            // Population standard deviation (ddof = 0, numpy.std's default) over the group's pairs: all
            // pairs are measured, none sampled, and one pair gives 0 rather than undefined.
            group.put(metric + "_std", Math.sqrt(squares / values.length));
        });
        return new MeasuredGroup(embeddingRows, pairRows, groupRow(plan, group));
    }

    private Row groupRow(GroupPlan plan, Map<String, Object> values) {
        values.put("prompt_id", plan.id().promptId());
        values.put("recipe", plan.id().recipe());
        values.put("prompt", plan.prompt());
        values.put("n", plan.n());
        values.put("failed", plan.failed());
        values.put("pairs", plan.pairs());
        values.put("measured_at", new Timestamp(System.currentTimeMillis()));
        values.put("code_version", BuildInfo.codeVersion());   // on the executor: the ONNX Runtime it loaded
        return row(columns.groupSchema(), values, plan);
    }

    /** A row in {@code schema}'s field order; key and attempt are added, absent values are null. */
    private Row row(StructType schema, Map<String, Object> values, GroupPlan plan) {
        values.put("group_key", plan.key());
        values.put("attempt", attempt);
        String[] names = schema.fieldNames();
        Object[] out = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = values.get(names[i]);
        }
        return RowFactory.create(out);
    }
}
