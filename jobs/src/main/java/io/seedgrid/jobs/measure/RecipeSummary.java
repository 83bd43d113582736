package io.seedgrid.jobs.measure;

import io.seedgrid.udf.metrics.Bootstrap;
import io.seedgrid.udf.metrics.ConfidenceInterval;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code recipes/}: per recipe and group-level metric, the mean over prompts with a 95% percentile
 * bootstrap interval (udf {@link Bootstrap}, prompts resampled with replacement), and, with a reference
 * recipe, the mean paired difference recipe − reference over the prompts both have a value for, with its
 * interval (prompts resampled as pairs). One value per prompt, so a recipe's figure weighs every prompt
 * alike whatever its number of seeds. A group without a value (a pairwise metric of a group of one image)
 * leaves that prompt out of that metric; {@code prompts} says how many entered. Each metric is bootstrapped
 * in a Spark task of its own over every recipe's values: the driver holds only the summary rows.
 */
final class RecipeSummary {

    /** Bootstrap seed: fixed, so that a rerun over the same groups reproduces the intervals exactly. */
    static final long BOOTSTRAP_SEED = 0L;
    static final double LEVEL = 0.95;

    private RecipeSummary() {
    }

    /** One group's value of one metric. */
    private record Value(String recipe, String promptId, double value) implements java.io.Serializable {
    }

    /**
     * The {@code recipes/} rows of the {@code groups/} rows {@code groups}, in {@link MetricColumns#RECIPES} order,
     * sorted by recipe, then by metric order.
     */
    static List<Row> compute(Dataset<Row> groups, List<String> metrics, String reference, int resamples, String attempt) {
        if (groups.columns().length == 0) {
            return List.of();
        }
        List<String> present = metrics.stream().filter(Arrays.asList(groups.columns())::contains).toList();
        List<String> selected = new ArrayList<>(List.of("recipe", "prompt_id"));
        selected.addAll(present);
        JavaPairRDD<String, Value> values = groups.selectExpr(selected.toArray(String[]::new)).javaRDD()
                .flatMapToPair(g -> {
                    List<Tuple2<String, Value>> out = new ArrayList<>();
                    for (int m = 0; m < present.size(); m++) {
                        Object v = g.get(2 + m);
                        if (v instanceof Double d && Double.isFinite(d)) {
                            out.add(new Tuple2<>(present.get(m), new Value(g.getString(0), g.getString(1), d)));
                        }
                    }
                    return out.iterator();
                });
        List<String> recipes = groups.select("recipe").distinct().collectAsList().stream().map(r -> r.getString(0))
                .sorted().toList();
        List<Row> rows = new ArrayList<>(values.groupByKey(Math.max(1, present.size()))
                .flatMap(metric -> {
                    Map<String, TreeMap<String, Double>> byRecipe = new TreeMap<>();
                    recipes.forEach(r -> byRecipe.put(r, new TreeMap<>()));
                    for (Value v : metric._2()) {
                        byRecipe.get(v.recipe()).put(v.promptId(), v.value());
                    }
                    return rowsOfMetric(metric._1(), byRecipe, reference, resamples, attempt).iterator();
                })
                .collect());
        for (String metric : metrics) {
            if (!present.contains(metric)) {
                Map<String, TreeMap<String, Double>> none = new TreeMap<>();
                recipes.forEach(r -> none.put(r, new TreeMap<>()));
                rows.addAll(rowsOfMetric(metric, none, reference, resamples, attempt));
            }
        }
        rows.sort(Comparator.comparing((Row r) -> r.getString(0)).thenComparing(r -> metrics.indexOf(r.getString(1))));
        return rows;
    }

    /** The rows of one metric: one per recipe of {@code values} (recipe -> prompt_id -> value). */
    static List<Row> rowsOfMetric(String metric, Map<String, TreeMap<String, Double>> values, String reference,
                                  int resamples, String attempt) {
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, Double>> recipe : values.entrySet()) {
            TreeMap<String, Double> own = recipe.getValue();
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
                TreeMap<String, Double> ref = values.get(reference);
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
        return out;
    }

    private static double[] toArray(Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
