package io.seedgrid.jobs.measure;

import io.seedgrid.udf.metrics.Bootstrap;
import io.seedgrid.udf.metrics.ConfidenceInterval;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code recipes/}: per recipe and group-level metric, the mean over prompts with a 95% percentile
 * bootstrap interval (udf {@link Bootstrap}, prompts resampled with replacement), and, with a reference
 * recipe, the mean paired difference recipe − reference over the prompts both have a value for, with its
 * interval (prompts resampled as pairs). Computed on the driver from the current {@code groups/} rows:
 * one value per prompt, so a recipe's figure weighs every prompt alike whatever its number of seeds.
 * A group without a value (a pairwise metric of a group of one image) leaves that prompt out of that
 * metric; {@code prompts} says how many entered.
 */
final class RecipeSummary {

    /** Bootstrap seed: fixed, so that a rerun over the same groups reproduces the intervals exactly. */
    static final long BOOTSTRAP_SEED = 0L;
    static final double LEVEL = 0.95;

    private RecipeSummary() {
    }

    /**
     * @param groups    current {@code groups/} rows (with their schema)
     * @param metrics   group-level metric columns, in output order
     * @param reference the reference recipe, or null
     * @param resamples bootstrap resamples
     * @return rows in {@link MetricColumns#RECIPES} order, sorted by recipe, then metric order
     */
    static List<Row> rows(List<Row> groups, List<String> metrics, String reference, int resamples, String attempt) {
        // recipe -> metric -> prompt_id -> value
        Map<String, Map<String, TreeMap<String, Double>>> values = new TreeMap<>();
        for (Row g : groups) {
            Map<String, TreeMap<String, Double>> recipe = values.computeIfAbsent(g.getAs("recipe"), r -> new TreeMap<>());
            for (String metric : metrics) {
                TreeMap<String, Double> byPrompt = recipe.computeIfAbsent(metric, m -> new TreeMap<>());
                Double v = value(g, metric);
                if (v != null) {
                    byPrompt.put(g.getAs("prompt_id"), v);
                }
            }
        }
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, TreeMap<String, Double>>> recipe : values.entrySet()) {
            for (String metric : metrics) {
                TreeMap<String, Double> own = recipe.getValue().get(metric);
                Double mean = null;
                Double low = null;
                Double high = null;
                if (!own.isEmpty()) {
                    ConfidenceInterval ci = Bootstrap.mean(toArray(own.values()), resamples, LEVEL, BOOTSTRAP_SEED);
                    mean = ci.estimate();
                    low = ci.low();
                    high = ci.high();
                }
                Integer paired = null;
                Double diff = null;
                Double diffLow = null;
                Double diffHigh = null;
                if (reference != null && !reference.equals(recipe.getKey()) && values.containsKey(reference)) {
                    TreeMap<String, Double> ref = values.get(reference).get(metric);
                    List<String> common = own.keySet().stream().filter(ref::containsKey).toList();
                    paired = common.size();
                    if (!common.isEmpty()) {
                        double[] a = common.stream().mapToDouble(own::get).toArray();
                        double[] b = common.stream().mapToDouble(ref::get).toArray();
                        ConfidenceInterval ci = Bootstrap.pairedDifference(a, b, resamples, LEVEL, BOOTSTRAP_SEED);
                        diff = ci.estimate();
                        diffLow = ci.low();
                        diffHigh = ci.high();
                    }
                }
                out.add(RowFactory.create(recipe.getKey(), metric, own.size(), mean, low, high, reference, paired, diff,
                        diffLow, diffHigh, LEVEL, resamples, BOOTSTRAP_SEED, attempt));
            }
        }
        return out;
    }

    private static Double value(Row row, String metric) {
        if (!Arrays.asList(row.schema().fieldNames()).contains(metric) || row.isNullAt(row.fieldIndex(metric))) {
            return null;
        }
        double v = row.getDouble(row.fieldIndex(metric));
        return Double.isFinite(v) ? v : null;
    }

    private static double[] toArray(Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
