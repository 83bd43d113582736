package io.seedgrid.jobs.measure;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * A small dataset kept as one Parquet file, {@code <run>/<name>/<name>.parquet}, and replaced
 * atomically: Spark writes it into {@code <run>/_staging/}, then the single file is moved over the old
 * one (an atomic rename on a local disk, one object PUT on S3). A reader sees the old file or the new
 * one, never a folder being rewritten, and a crash leaves the old one in place.
 */
final class SingleFileParquet {

    private SingleFileParquet() {
    }

    static void replace(Dataset<Row> rows, String runDir, String name, String attempt) {
        Configuration conf = rows.sparkSession().sparkContext().hadoopConfiguration();
        Path stagingRoot = new Path(runDir, "_staging");
        Path staging = new Path(stagingRoot, name + "-" + attempt);
        rows.coalesce(1).write().mode(SaveMode.Overwrite).parquet(staging.toString());
        Path target = new Path(new Path(runDir, name), name + ".parquet");
        try {
            FileSystem fs = staging.getFileSystem(conf);
            FileStatus[] parts = fs.listStatus(staging, p -> p.getName().startsWith("part-")
                    && p.getName().endsWith(".parquet"));
            if (parts.length != 1) {
                throw new IllegalStateException("expected one Parquet file in " + staging + ", found " + parts.length);
            }
            fs.mkdirs(target.getParent());
            if (fs instanceof LocalFileSystem local) {
                Files.move(local.pathToFile(parts[0].getPath()).toPath(), local.pathToFile(target).toPath(),
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                FileUtil.copy(fs, parts[0].getPath(), fs, target, false, true, conf);
            }
            fs.delete(staging, true);
            if (fs.listStatus(stagingRoot).length == 0) {
                fs.delete(stagingRoot, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target, e);
        }
    }
}
