package io.seedgrid.jobs.spark;

import java.util.Locale;
import java.util.Map;

/**
 * The Spark settings that make Parquet writes to {@code s3a://} go through the S3A magic committer
 * (Hadoop "Committing work to S3 with the S3A Committers"; Spark "Integration with Cloud
 * Infrastructures"): task output is uploaded as pending multipart uploads under {@code __magic} and
 * only the job commit completes them, so a failed or speculative task never leaves partial files and
 * nothing is renamed (S3 has no rename).
 *
 * <p>S3A committers refuse dynamic partition overwrite ({@code PathOutputCommitProtocol} throws when a
 * committer lacks that capability), so {@code spark.sql.sources.partitionOverwriteMode} must stay
 * {@code static}. seedgrid writes new chunks and anti-joins on {@code cell_id} instead of overwriting.
 */
public final class S3aCommitter {

    public static final String COMMITTER_NAME = "spark.hadoop.fs.s3a.committer.name";
    public static final String MAGIC_ENABLED = "spark.hadoop.fs.s3a.committer.magic.enabled";
    public static final String COMMITTER_FACTORY = "spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a";
    public static final String COMMIT_PROTOCOL = "spark.sql.sources.commitProtocolClass";
    public static final String PARQUET_COMMITTER = "spark.sql.parquet.output.committer.class";
    public static final String PARTITION_OVERWRITE_MODE = "spark.sql.sources.partitionOverwriteMode";

    /**
     * The settings SparkSessions adds when an output is on {@code s3a://}. The cluster conf files leave them out:
     * their classes (spark-hadoop-cloud) are not in Spark's distribution, so every other output would fail.
     */
    public static final Map<String, String> SETTINGS = Map.of(
            COMMITTER_NAME, "magic",
            MAGIC_ENABLED, "true",
            COMMITTER_FACTORY, "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory",
            COMMIT_PROTOCOL, "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
            PARQUET_COMMITTER, "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
            PARTITION_OVERWRITE_MODE, "static");

    private S3aCommitter() {
    }

    /** True for an {@code s3a://} location, the only scheme the S3A committers serve. */
    public static boolean isS3a(String location) {
        return location != null && location.strip().toLowerCase(Locale.ROOT).startsWith("s3a://");
    }
}
