package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;

import io.seedgrid.jobs.output.ImageTable;
import io.seedgrid.jobs.output.ParquetFiles;
import io.seedgrid.jobs.testing.RunTables;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.io.PrintStream;
import java.nio.file.Path;

/** A tiny generated run and the udf module's tiny metric models, for the measure tests. */
final class MeasureFixtures {

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private MeasureFixtures() {
    }

    /**
     * 2 prompts (ids cube, sphere) x 3 seeds x 2 recipes (base Euler 4 steps CFG 5, dmd2) = 12 cells of 64x48
     * on the tiny SDXL models, 4 groups of 3 images.
     *
     * @param measure the measure section's body (indented two spaces), or empty
     * @param extra   more top-level YAML
     */
    static RunConfig config(Path dir, String run, String measure, String extra) {
        return TinyGrid.config(dir, run, dir.resolve("out").toString(), """
                  - {prompt: a red cube on a blue floor, id: cube}
                  - {prompt: a green sphere, id: sphere}
                """, TinyGrid.BASE_AND_DMD2, (measure.isEmpty() ? "" : "measure:\n" + measure) + "\n" + extra);
    }

    /**
     * Makes {@code to}'s run folder a copy of {@code from}'s: its manifest, and its images/ files at the same
     * paths with every row passed through {@code edit} (which may change it, or return null to leave it out).
     */
    static void copyRun(RunConfig from, RunConfig to, UnaryOperator<GenericRecord> edit) {
        Configuration conf = new Configuration();
        try {
            Files.createDirectories(Path.of(to.runDirectory()));
            Files.copy(Path.of(from.runDirectory(), "manifest.json"), Path.of(to.runDirectory(), "manifest.json"));
            for (org.apache.hadoop.fs.Path file : RunTables.imageFiles(from.runDirectory())) {
                String relative = Path.of(from.runDirectory()).relativize(Path.of(file.toUri())).toString();
                writeRows(new org.apache.hadoop.fs.Path(to.runDirectory(), relative), readRows(file, conf).stream()
                        .map(edit).filter(java.util.Objects::nonNull).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every row of one images/ file, all columns. */
    static List<GenericRecord> readRows(org.apache.hadoop.fs.Path file, Configuration conf) throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = ParquetFiles.reader(file, ImageTable.SCHEMA, conf, null)) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Writes {@code rows} as an images/ file. */
    static void writeRows(org.apache.hadoop.fs.Path file, List<GenericRecord> rows) throws IOException {
        try (ParquetWriter<GenericRecord> writer = ParquetFiles.writer(file, ImageTable.SCHEMA, new Configuration(),
                ImageTable.METADATA)) {
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
    }

    /** Renders {@code config}'s grid. */
    static void generate(RunConfig config) {
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), QUIET, GenerateJob.Options.defaults());
    }

    static RgbImage decode(byte[] png) {
        return PngFile.decode(png);
    }

    /**
     * What measure must write for {@link #config}'s run, computed outside seedgrid by
     * tools/reference/measure/measure_reference.py from the images in {@code measure/images/} (rendered by
     * tools/reference/measure/render_cells.sh): per group, its metrics, every pair's distances and the embeddings.
     */
    static JsonNode reference() {
        try (InputStream in = resource("/measure/reference.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of {@code measure/images/}, the pixels the reference values were computed on. */
    static RgbImage referenceImage(String file) {
        try (InputStream in = resource("/measure/images/" + file)) {
            return decode(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MeasureFixtures.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("test resource " + name + " is missing (tools/reference/measure/ makes it)");
        }
        return in;
    }
}
