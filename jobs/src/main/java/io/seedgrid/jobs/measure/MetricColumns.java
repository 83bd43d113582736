package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.generate.ImageRows;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The columns a measurement writes, which depend on the configured metric models (README, "Outputs",
 * "Metrics"): {@code pairs/} has one column per pairwise metric, {@code groups/} its mean and standard
 * deviation and the per-group scores; {@code embeddings/} and {@code recipes/} have fixed schemas.
 *
 * @param lpips     whether an LPIPS model is configured
 * @param encoders  column names of the image encoders (the CLIP image tower included)
 * @param clipScore whether a CLIP pair is configured
 * @param msSsim    whether MS-SSIM is computed
 */
public record MetricColumns(boolean lpips, List<String> encoders, boolean clipScore, boolean msSsim)
        implements Serializable {

    public static final String LPIPS = "lpips";
    public static final String MS_SSIM = "ms_ssim_distance";
    public static final String MS_SSIM_METHOD = "ms_ssim_method";
    public static final String SSIM = "ssim_distance";
    public static final String PIXEL_VENDI = "pixel_vendi";
    public static final String CLIP_SCORE = "clip_score_mean";

    /** {@code embeddings/}: one row per (image, encoder). */
    public static final StructType EMBEDDINGS = new StructType()
            .add("cell_id", DataTypes.StringType, false)
            .add("prompt_id", DataTypes.StringType, false)
            .add("recipe", DataTypes.StringType, false)
            .add("seed", ImageRows.SEED_TYPE, false)
            .add("encoder", DataTypes.StringType, false)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("group_key", DataTypes.StringType, false)
            .add("attempt", DataTypes.StringType, false);

    /** {@code recipes/}: one row per (recipe, group-level metric). */
    public static final StructType RECIPES = new StructType()
            .add("recipe", DataTypes.StringType, false)
            .add("metric", DataTypes.StringType, false)
            .add("prompts", DataTypes.IntegerType, false)
            .add("mean", DataTypes.DoubleType, true)
            .add("low", DataTypes.DoubleType, true)
            .add("high", DataTypes.DoubleType, true)
            .add("reference_recipe", DataTypes.StringType, true)
            .add("paired_prompts", DataTypes.IntegerType, true)
            .add("diff_mean", DataTypes.DoubleType, true)
            .add("diff_low", DataTypes.DoubleType, true)
            .add("diff_high", DataTypes.DoubleType, true)
            .add("level", DataTypes.DoubleType, false)
            .add("resamples", DataTypes.IntegerType, false)
            .add("bootstrap_seed", DataTypes.LongType, false)
            .add("attempt", DataTypes.StringType, false);

    public MetricColumns {
        encoders = List.copyOf(encoders);
        Set<String> seen = new HashSet<>();
        for (String name : allNames(lpips, encoders, clipScore, msSsim)) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException("two metrics would write the column '" + name + "': an encoder's"
                        + " name clashes with a built-in metric; give it another \"name\" in its seedgrid-metric.json");
            }
        }
    }

    public static MetricColumns of(MetricSuite suite) {
        return new MetricColumns(suite.lpips() != null, suite.encoders().stream().map(MetricSuite.Encoder::column).toList(),
                suite.hasClip(), suite.msSsim());
    }

    /** {@code <encoder>_distance}: 1 - cos of the two images' embeddings. */
    public static String distance(String encoder) {
        return encoder + "_distance";
    }

    /**
     * Whether the group column {@code column} is an embedding distance's mean ({@code <encoder>_distance_mean}); the
     * SSIM and MS-SSIM distances are not embedding distances.
     */
    public static boolean isEmbeddingDistanceMean(String column) {
        return column.endsWith("_distance_mean") && !column.equals(SSIM + "_mean") && !column.equals(MS_SSIM + "_mean");
    }

    /** {@code <encoder>_vendi} (q = 1). */
    public static String vendi(String encoder) {
        return encoder + "_vendi";
    }

    /** {@code <encoder>_vendi_q2}. */
    public static String vendiQ2(String encoder) {
        return encoder + "_vendi_q2";
    }

    /** {@code <encoder>_vendi_qinf}: q = infinity, 1 / the largest eigenvalue. */
    public static String vendiQinf(String encoder) {
        return encoder + "_vendi_qinf";
    }

    /** Pairwise metric columns of {@code pairs/}, in order (all distances: 0 = identical). */
    public List<String> pairMetrics() {
        List<String> out = new ArrayList<>();
        if (lpips) {
            out.add(LPIPS);
        }
        encoders.forEach(e -> out.add(distance(e)));
        if (msSsim) {
            out.add(MS_SSIM);
        }
        out.add(SSIM);
        return out;
    }

    /** Group-level metric columns of {@code groups/}, the ones {@code recipes/} summarises, in order. */
    public List<String> groupMetrics() {
        List<String> out = new ArrayList<>();
        pairMetrics().forEach(m -> out.add(m + "_mean"));
        for (String e : encoders) {
            out.add(vendi(e));
            out.add(vendiQ2(e));
            out.add(vendiQinf(e));
        }
        out.add(PIXEL_VENDI);
        out.add(PIXEL_VENDI + "_q2");
        out.add(PIXEL_VENDI + "_qinf");
        if (clipScore) {
            out.add(CLIP_SCORE);
        }
        return out;
    }

    /** {@code pairs/}: one row per pair of measured images of a group. */
    public StructType pairSchema() {
        StructType s = new StructType()
                .add("prompt_id", DataTypes.StringType, false)
                .add("recipe", DataTypes.StringType, false)
                .add("cell_a", DataTypes.StringType, false)
                .add("cell_b", DataTypes.StringType, false)
                .add("seed_a", ImageRows.SEED_TYPE, false)
                .add("seed_b", ImageRows.SEED_TYPE, false);
        for (String m : pairMetrics()) {
            s = s.add(m, DataTypes.DoubleType, false);
        }
        if (msSsim) {
            s = s.add(MS_SSIM_METHOD, DataTypes.StringType, false);
        }
        return s.add("group_key", DataTypes.StringType, false)
                .add("attempt", DataTypes.StringType, false);
    }

    /** {@code groups/}: one row per (prompt_id, recipe) and measurement. */
    public StructType groupSchema() {
        StructType s = new StructType()
                .add("prompt_id", DataTypes.StringType, false)
                .add("recipe", DataTypes.StringType, false)
                .add("prompt", DataTypes.StringType, false)
                .add("n", DataTypes.IntegerType, false)
                .add("failed", DataTypes.IntegerType, false)
                .add("pairs", DataTypes.LongType, false);
        for (String m : pairMetrics()) {
            s = s.add(m + "_mean", DataTypes.DoubleType, true).add(m + "_std", DataTypes.DoubleType, true);
        }
        if (msSsim) {
            s = s.add(MS_SSIM_METHOD, DataTypes.StringType, true);
        }
        for (String e : encoders) {
            s = s.add(vendi(e), DataTypes.DoubleType, true).add(vendiQ2(e), DataTypes.DoubleType, true)
                    .add(vendiQinf(e), DataTypes.DoubleType, true);
        }
        s = s.add(PIXEL_VENDI, DataTypes.DoubleType, true).add(PIXEL_VENDI + "_q2", DataTypes.DoubleType, true)
                .add(PIXEL_VENDI + "_qinf", DataTypes.DoubleType, true);
        if (clipScore) {
            s = s.add(CLIP_SCORE, DataTypes.DoubleType, true);
        }
        return s.add("device", DataTypes.StringType, true)
                .add("group_key", DataTypes.StringType, false)
                .add("attempt", DataTypes.StringType, false)
                .add("measured_at", DataTypes.TimestampType, false)
                .add("code_version", DataTypes.StringType, false);
    }

    private static List<String> allNames(boolean lpips, List<String> encoders, boolean clipScore, boolean msSsim) {
        List<String> names = new ArrayList<>();
        if (lpips) {
            names.add(LPIPS);
        }
        for (String e : encoders) {
            names.add(distance(e));
            names.add(vendi(e));
            names.add(vendiQ2(e));
            names.add(vendiQinf(e));
        }
        names.add(MS_SSIM);
        names.add(SSIM);
        names.add(PIXEL_VENDI);
        names.add(PIXEL_VENDI + "_q2");
        names.add(PIXEL_VENDI + "_qinf");
        if (clipScore) {
            names.add(CLIP_SCORE);
        }
        List<String> withMeans = new ArrayList<>(names);
        names.stream().filter(n -> n.equals(LPIPS) || n.endsWith("_distance")).forEach(n -> {
            withMeans.add(n + "_mean");
            withMeans.add(n + "_std");
        });
        return withMeans;
    }
}
