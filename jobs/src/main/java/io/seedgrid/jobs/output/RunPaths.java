package io.seedgrid.jobs.output;

import org.apache.hadoop.fs.Path;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where everything of a run lives (README, "Outputs"). The tables are laid out by recipe and prompt
 * bucket in Hive style, {@code <table>/recipe_name=<recipe>/prompt_bucket=<b>/}, so that Spark and DuckDB
 * prune folders on {@code recipe_name} and {@code prompt_bucket} (the file columns {@code recipe} and
 * {@code prompt_id} are the same facts; the folder keys have other names because pyarrow refuses a folder
 * key that is also a column of the files).
 */
public final class RunPaths {

    public static final String IMAGES = "images";
    public static final String EMBEDDINGS = "embeddings";
    public static final String PAIRS = "pairs";
    public static final String GROUPS = "groups";
    public static final String RECIPES = "recipes";
    /** Folder keys of the tables. */
    public static final String RECIPE_KEY = "recipe_name";
    public static final String BUCKET_KEY = "prompt_bucket";

    private RunPaths() {
    }

    /** {@code <run>/<table>}. */
    public static Path table(String runDir, String table) {
        return new Path(runDir, table);
    }

    /** {@code <run>/<table>/recipe_name=<recipe>/prompt_bucket=<bucket>}. */
    public static Path partition(String runDir, String table, String recipe, int bucket) {
        return new Path(new Path(table(runDir, table), RECIPE_KEY + "=" + recipe), BUCKET_KEY + "=" + bucket);
    }

    /** The temporary folder of the run's attempts, {@code <run>/_tmp}: never read, deleted by the next attempt. */
    public static Path temporary(String runDir) {
        return new Path(runDir, "_tmp");
    }

    /** The temporary folder of one attempt. */
    public static Path temporary(String runDir, String attempt) {
        return new Path(temporary(runDir), attempt);
    }

    /**
     * The prompt bucket of a prompt id: the first four bytes of SHA-256 of its UTF-8 bytes as an unsigned
     * big-endian number, modulo {@code buckets} (in Python:
     * {@code int.from_bytes(hashlib.sha256(pid.encode()).digest()[:4], "big") % buckets}).
     */
    public static int bucket(String promptId, int buckets) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(promptId.getBytes(StandardCharsets.UTF_8));
            long head = ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
            return (int) (head % buckets);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
