package io.seedgrid.jobs.measure;

import io.seedgrid.jobs.output.FileSystems;
import io.seedgrid.jobs.output.ParquetFiles;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The rows of one {@code images/} folder (a recipe's prompt bucket) grouped by prompt, one prompt at a
 * time: every file of the folder is sorted by prompt id (generate writes them so), so a k-way merge over
 * the files yields each prompt's rows together while holding one prompt's rows and one row per file.
 * A group's images travel no further than the task that measures them.
 */
final class BucketImages implements AutoCloseable {

    private record Head(GenericRecord row, ParquetReader<GenericRecord> reader, Path file) {
        String promptId() {
            return row.get("prompt_id").toString();
        }
    }

    private final PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::promptId));
    private final List<ParquetReader<GenericRecord>> readers = new ArrayList<>();

    private BucketImages() {
    }

    /** Opens every Parquet file of {@code folder} with {@code projection} (which must include prompt_id). */
    static BucketImages open(FileSystem fs, Path folder, Schema projection, Configuration conf) throws IOException {
        BucketImages images = new BucketImages();
        try {
            for (FileStatus file : FileSystems.parquetFiles(fs, folder)) {
                ParquetReader<GenericRecord> reader = ParquetFiles.reader(file.getPath(), projection, conf, null);
                images.readers.add(reader);
                images.advance(reader, file.getPath(), null);
            }
        } catch (IOException | RuntimeException e) {
            images.close();
            throw e;
        }
        return images;
    }

    /** The next prompt's rows from every file, or null when all files are read. */
    List<GenericRecord> nextGroup() throws IOException {
        Head first = heads.peek();
        if (first == null) {
            return null;
        }
        String promptId = first.promptId();
        List<GenericRecord> group = new ArrayList<>();
        while (!heads.isEmpty() && heads.peek().promptId().equals(promptId)) {
            Head head = heads.poll();
            group.add(head.row());
            advance(head.reader(), head.file(), promptId);
        }
        return group;
    }

    private void advance(ParquetReader<GenericRecord> reader, Path file, String previous) throws IOException {
        GenericRecord row = reader.read();
        if (row == null) {
            return;
        }
        Head head = new Head(row, reader, file);
        if (previous != null && head.promptId().compareTo(previous) < 0) {
            throw new IllegalStateException(file + " is not sorted by prompt_id ('" + head.promptId() + "' after '"
                    + previous + "'): it was not written by seedgrid generate");
        }
        heads.add(head);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (ParquetReader<GenericRecord> reader : readers) {
            try {
                reader.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
