package io.seedgrid.jobs.measure;

import ai.onnxruntime.OrtException;
import io.seedgrid.jobs.KillPoints;
import io.seedgrid.jobs.generate.HadoopConf;
import io.seedgrid.jobs.output.AvroRows;
import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.output.RunPaths;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One Spark task of {@code measure}: one recipe's prompt bucket. It reads the bucket's {@code images/} files
 * without their image bytes to find the groups (one per prompt) and their keys; when every key equals the
 * one in the bucket's {@code groups/} file, the bucket is measured already and the task ends. Otherwise it
 * measures every group of the bucket, streaming the images one group at a time ({@link BucketImages}), and
 * replaces the bucket's {@code embeddings/}, {@code pairs/} and {@code groups/} files (the groups file last):
 * each table holds each group's rows once, those of its latest measurement.
 */
final class MeasureTask {

    private static final Schema INDEX = ImageTable.projection("prompt_id", "prompt", "cell_id", "status");
    private static final Schema IMAGES = ImageTable.projection("prompt_id", "cell_id", "seed", "status", "image");
    private static final Schema KEYS = SchemaBuilder.record("groups").namespace("io.seedgrid").fields()
            .requiredString("prompt_id").requiredString("group_key").endRecord();

    private MeasureTask() {
    }

    /** What every measure task of one attempt shares. */
    record Context(String runDir, String attempt, MetricModels models, MetricColumns columns, String fingerprint,
                   HadoopConf hadoop) implements Serializable {
    }

    /** One recipe's prompt bucket. */
    record Bucket(String recipe, int bucket) implements Serializable {
    }

    /** What a task did; {@code measured} is false when the bucket's measurement was current. */
    record Result(int groups, boolean measured, long images, long failed, long pairs) implements Serializable {
    }

    static Result run(Bucket bucket, Context context) {
        Configuration conf = context.hadoop().get();
        Path folder = RunPaths.partition(context.runDir(), RunPaths.IMAGES, bucket.recipe(), bucket.bucket());
        FileSystem fs = FileSystems.of(folder, conf);
        try {
            List<GroupPlan> plans = plans(fs, folder, bucket.recipe(), context.fingerprint(), conf);
            long images = plans.stream().mapToLong(GroupPlan::n).sum();
            long failed = plans.stream().mapToLong(GroupPlan::failed).sum();
            long pairs = plans.stream().mapToLong(GroupPlan::pairs).sum();
            Path groupsFile = file(context, RunPaths.GROUPS, bucket);
            if (keys(plans).equals(recordedKeys(fs, groupsFile, conf))) {
                return new Result(plans.size(), false, images, failed, pairs);
            }
            measure(bucket, plans, folder, fs, context);
            return new Result(plans.size(), true, images, failed, pairs);
        } catch (IOException e) {
            throw new UncheckedIOException("measuring " + folder + ": " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed measuring " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The bucket's groups, in prompt id order, from its files read without image bytes. */
    static List<GroupPlan> plans(FileSystem fs, Path folder, String recipe, String fingerprint, Configuration conf)
            throws IOException {
        List<GroupPlan> plans = new ArrayList<>();
        try (BucketImages index = BucketImages.open(fs, folder, INDEX, conf)) {
            for (List<GenericRecord> rows = index.nextGroup(); rows != null; rows = index.nextGroup()) {
                String promptId = rows.get(0).get("prompt_id").toString();
                String prompt = rows.get(0).get("prompt").toString();
                TreeSet<String> ok = new TreeSet<>();
                TreeSet<String> failed = new TreeSet<>();
                for (GenericRecord row : rows) {
                    if (!prompt.equals(row.get("prompt").toString())) {
                        throw new IllegalArgumentException("prompt_id '" + promptId + "' has images of two prompt texts in "
                                + folder + " ('" + prompt + "' and '" + row.get("prompt") + "'): an edited prompt needs a"
                                + " new id, or its seeds would be measured as one group");
                    }
                    String cell = row.get("cell_id").toString();
                    boolean isNew = "ok".equals(row.get("status").toString()) ? ok.add(cell) && !failed.contains(cell)
                            : failed.add(cell) && !ok.contains(cell);
                    if (!isNew) {
                        throw new IllegalStateException("cell " + cell + " is in " + folder + " twice");
                    }
                }
                String key = MetricFingerprint.sha256(fingerprint + "\nok\n" + String.join("\n", ok) + "\nfailed\n"
                        + String.join("\n", failed));
                plans.add(new GroupPlan(new GroupId(promptId, recipe), prompt, new ArrayList<>(ok), failed.size(), key));
            }
        }
        return plans;
    }

    private static Map<String, String> keys(List<GroupPlan> plans) {
        Map<String, String> keys = new LinkedHashMap<>();
        plans.forEach(p -> keys.put(p.id().promptId(), p.key()));
        return keys;
    }

    /** The group keys of the bucket's current {@code groups/} file (empty when it has none). */
    private static Map<String, String> recordedKeys(FileSystem fs, Path groupsFile, Configuration conf) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        if (!fs.exists(groupsFile)) {
            return keys;
        }
        try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(groupsFile, KEYS, conf, null)) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                keys.put(row.get("prompt_id").toString(), row.get("group_key").toString());
            }
        }
        return keys;
    }

    private static void measure(Bucket bucket, List<GroupPlan> plans, Path folder, FileSystem fs, Context context)
            throws IOException, OrtException {
        MetricColumns columns = context.columns();
        MetricSuite suite = MetricSuite.get(context.models(), MetricSuite.taskSettings());
        GroupMeasurer measurer = new GroupMeasurer(columns, context.attempt());
        Configuration conf = context.hadoop().get();
        Path tmp = RunPaths.temporary(context.runDir(), context.attempt());
        String id = UUID.randomUUID().toString();
        Output embeddings = new Output(RunPaths.EMBEDDINGS, MetricColumns.EMBEDDINGS, new Path(tmp, id + "-e.parquet"), conf);
        Output pairs = new Output(RunPaths.PAIRS, columns.pairSchema(), new Path(tmp, id + "-p.parquet"), conf);
        Output groups = new Output(RunPaths.GROUPS, columns.groupSchema(), new Path(tmp, id + "-g.parquet"), conf);
        try (embeddings; pairs; groups; BucketImages images = BucketImages.open(fs, folder, IMAGES, conf)) {
            for (GroupPlan plan : plans) {
                List<GenericRecord> rows = images.nextGroup();
                if (rows == null || !rows.get(0).get("prompt_id").toString().equals(plan.id().promptId())) {
                    throw new IllegalStateException(folder + " changed while it was measured (expected the images of "
                            + plan.id() + ")");
                }
                stopIfAsked();
                MeasuredGroup measured = plan.n() == 0 ? measurer.empty(plan) : measurer.measureGroup(plan, cells(rows), suite);
                measured.embeddings().forEach(embeddings::write);
                measured.pairs().forEach(pairs::write);
                groups.write(measured.group());
            }
        }
        KillPoints.reach(KillPoints.MEASURING);
        for (Output output : List.of(embeddings, pairs, groups)) {
            FileSystems.replace(fs, output.temp, file(context, output.table, bucket));
        }
        KillPoints.reach(KillPoints.MEASURED);
    }

    /** A group's ok images, sorted by seed then cell id (the order of its pairs). */
    private static List<GroupMeasurer.Cell> cells(List<GenericRecord> rows) {
        List<GroupMeasurer.Cell> cells = new ArrayList<>();
        for (GenericRecord row : rows) {
            if ("ok".equals(row.get("status").toString())) {
                cells.add(new GroupMeasurer.Cell(row.get("cell_id").toString(), (BigDecimal) row.get("seed"),
                        ImageTable.png(row)));
            }
        }
        cells.sort(Comparator.comparing(GroupMeasurer.Cell::seed).thenComparing(GroupMeasurer.Cell::cellId));
        return cells;
    }

    /** {@code <table>/recipe_name=<recipe>/prompt_bucket=<b>/<table>.parquet}: one file per table and bucket. */
    static Path file(Context context, String table, Bucket bucket) {
        return new Path(RunPaths.partition(context.runDir(), table, bucket.recipe(), bucket.bucket()), table + ".parquet");
    }

    private static void stopIfAsked() {
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.killTaskIfInterrupted();
        }
    }

    /** One table's rows of the bucket, written to a temporary file. */
    private static final class Output implements AutoCloseable {
        final String table;
        final Path temp;
        private final Schema schema;
        private final ParquetWriter<GenericRecord> writer;

        Output(String table, org.apache.spark.sql.types.StructType spark, Path temp, Configuration conf) throws IOException {
            this.table = table;
            this.temp = temp;
            this.schema = AvroRows.schema(table, spark);
            this.writer = ParquetFiles.writer(temp, schema, conf, Map.of());
        }

        void write(Row row) {
            try {
                writer.write(AvroRows.record(row, schema));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + temp, e);
            }
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }
}
