package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.generate.ImageRows;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The driver's view of {@code <run>/images/}: every cell's group, status and Parquet file, without the
 * image bytes (one small collect), turned into one {@link GroupPlan} per (prompt_id, recipe).
 */
final class ImageIndex {

    private ImageIndex() {
    }

    /**
     * The groups of {@code <run>/images/}, sorted by group.
     *
     * @param fingerprint the metric fingerprint (JSON) that goes into each group's key
     * @throws IllegalArgumentException when no image has status {@code ok}, or a prompt_id has images of
     *     more than one prompt text
     */
    static List<GroupPlan> groups(SparkSession spark, String runDir, String fingerprint) {
        String images = ImageRows.folder(runDir);
        List<Row> rows = spark.read().schema(ImageRows.SCHEMA).parquet(images)
                .selectExpr("cell_id", "prompt_id", "recipe", "prompt", "status", "_metadata.file_path")
                .collectAsList();
        Map<GroupId, Builder> groups = new TreeMap<>();
        Map<String, String> promptTexts = new HashMap<>();
        for (Row row : rows) {
            String promptId = row.getString(1);
            String prompt = row.getString(3);
            String before = promptTexts.putIfAbsent(promptId, prompt);
            if (before != null && !before.equals(prompt)) {
                throw new IllegalArgumentException("prompt_id '" + promptId + "' has images of two prompt texts in "
                        + images + " ('" + before + "' and '" + prompt + "'): an edited prompt needs a new id, or its"
                        + " seeds would be measured as one group");
            }
            groups.computeIfAbsent(new GroupId(promptId, row.getString(2)), id -> new Builder(prompt))
                    .add(row.getString(0), "ok".equals(row.getString(4)), row.getString(5));
        }
        List<GroupPlan> plans = new ArrayList<>(groups.size());
        groups.forEach((id, b) -> plans.add(b.build(id, fingerprint)));
        if (plans.stream().allMatch(p -> p.n() == 0)) {
            throw new IllegalArgumentException("run folder " + runDir + " has no image with status ok in images/ ("
                    + rows.size() + " rows): nothing to measure");
        }
        return plans;
    }

    private static final class Builder {
        private final String prompt;
        private final TreeMap<String, String> ok = new TreeMap<>();
        private final TreeSet<String> failed = new TreeSet<>();

        Builder(String prompt) {
            this.prompt = prompt;
        }

        void add(String cellId, boolean isOk, String file) {
            if (isOk) {
                ok.put(cellId, file);
                failed.remove(cellId);
            } else if (!ok.containsKey(cellId)) {
                failed.add(cellId);
            }
        }

        GroupPlan build(GroupId id, String fingerprint) {
            String key = MetricFingerprint.sha256(fingerprint + "\nok\n" + String.join("\n", ok.keySet()) + "\nfailed\n"
                    + String.join("\n", failed));
            TreeSet<String> files = new TreeSet<>();
            ok.values().forEach(f -> files.add(new Path(URI.create(f)).toString()));
            return new GroupPlan(id, prompt, new ArrayList<>(ok.keySet()), failed.size(), new ArrayList<>(files), key);
        }
    }
}
