package io.seedgrid.jobs.report;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.output.NioLocalFileSystem;
import io.seedgrid.jobs.output.RunPaths;
import org.apache.avro.generic.GenericRecord;
import io.seedgrid.jobs.testing.RunTables;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report reads the images it shows and no others: in a run of 24 prompts in 8 prompt buckets, one file per
 * prompt and recipe, the thumbnails of 2 prompts read (counted by Hadoop's file-system statistics, which every
 * read of the local disk goes through) at most the files holding those prompts and the footers of the other
 * files in their buckets' folders; the report's counts read only columns without image bytes (Parquet's
 * column projection).
 */
class ReportReadsTest {

    @Test
    @SuppressWarnings("deprecation") // FileSystem.getStatistics(scheme, class): the counters seedgrid's local file system updates
    void theReportReadsOnlyTheImagesItShows(@TempDir Path dir) throws Exception {
        String prompts = IntStream.range(0, 24).mapToObj(i -> "  - {prompt: a shape number " + i + ", id: p" + (100 + i) + "}")
                .collect(Collectors.joining("\n"));
        RunConfig config = TinyGrid.config(dir, "reads", dir.resolve("out").toString(), prompts, TinyGrid.BASE_AND_DMD2,
                "chunk_size: 4\nprompt_buckets: 8", "{start: 0, count: 4}", TinyGrid.tinyModel("fp32"),
                TinyGrid.tinyModel("dmd2-unet-only"));
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), ReportFixtures.QUIET,
                GenerateJob.Options.defaults());
        long imageBytes = 0;
        for (org.apache.hadoop.fs.Path file : RunTables.imageFiles(config.runDirectory())) {
            imageBytes += Files.size(Path.of(file.toUri()));
        }
        assertEquals(48, RunTables.imageFiles(config.runDirectory()).size(), "one file per prompt and recipe");

        ReportJob.Summary summary = ReportJob.run(config, TestSpark.session(), new ReportOptions(2, 4, 32),
                ReportFixtures.QUIET);
        assertEquals(16, summary.thumbnails(), "2 prompts x 2 recipes x 4 seeds");

        // the report shows the first two prompt ids, p100 and p101
        List<ThumbnailTask.Wanted> wanted = new ArrayList<>();
        long bound = 0;
        Set<String> shownFolders = new HashSet<>();
        for (GenericRecord row : RunTables.rows(config.runDirectory(), "prompt_id", "recipe", "cell_id")) {
            String prompt = row.get("prompt_id").toString();
            if (prompt.equals("p100") || prompt.equals("p101")) {
                wanted.add(new ThumbnailTask.Wanted(row.get("recipe").toString(), prompt, row.get("cell_id").toString()));
                shownFolders.add(row.get("recipe") + "/" + RunPaths.bucket(prompt, 8));
            }
        }
        for (org.apache.hadoop.fs.Path file : RunTables.imageFiles(config.runDirectory())) {
            Path local = Path.of(file.toUri());
            String folder = local.getParent().getParent().getFileName().toString().replace(RunPaths.RECIPE_KEY + "=", "")
                    + "/" + local.getParent().getFileName().toString().replace(RunPaths.BUCKET_KEY + "=", "");
            if (!shownFolders.contains(folder)) {
                continue;   // a folder of no shown prompt is not opened at all
            }
            boolean shown = RunTables.rowsOf(file, "prompt_id").stream()
                    .anyMatch(r -> r.get("prompt_id").toString().matches("p10[01]"));
            bound += shown ? Files.size(local) : footer(local);
        }
        FileSystem.Statistics raw = FileSystem.getStatistics("file", NioLocalFileSystem.class);
        long before = raw.getBytesRead();
        Map<String, Thumbnail> thumbnails = ThumbnailTask.make(TestSpark.session(), config.runDirectory(), 8, wanted, 32);
        long read = raw.getBytesRead() - before;
        assertEquals(16, thumbnails.size());
        System.out.printf("ReportReadsTest: thumbnails of 2 of 24 prompts read %d bytes (bound %d) of %d bytes of image"
                + " files%n", read, bound, imageBytes);
        assertTrue(read > 0, "the thumbnails are read through the counted file system");
        assertTrue(read <= bound, read + " bytes read, at most " + bound + " expected");
        assertTrue(read < imageBytes / 8, read + " bytes read of " + imageBytes + " bytes of image files");
    }

    /** The bytes a reader reads to skip a file: its footer, its length and the magic number. */
    private static long footer(Path file) throws java.io.IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = bytes.length;
        int footerLength = (bytes[n - 8] & 0xff) | (bytes[n - 7] & 0xff) << 8 | (bytes[n - 6] & 0xff) << 16
                | (bytes[n - 5] & 0xff) << 24;
        // parquet-mr reads the footer length and magic, then the footer; allow its read-ahead of a small buffer
        return footerLength + 8 + 64 * 1024;
    }
}
