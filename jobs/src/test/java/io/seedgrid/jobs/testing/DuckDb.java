package io.seedgrid.jobs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DuckDB's Python package as a reader that is neither Spark nor Java: it reads a run's {@code images/} with
 * the glob a user would write ({@code images/**}{@code /*.parquet}). The Python comes from
 * {@code SEEDGRID_TEST_PYTHON} (CI sets it to the virtual environment {@code .ci/run} makes), else
 * {@code python3}; when that has no {@code duckdb}, {@link #available()} says why and tests print it.
 */
public final class DuckDb {

    private DuckDb() {
    }

    private static String python() {
        String configured = System.getenv("SEEDGRID_TEST_PYTHON");
        return configured != null && !configured.isBlank() ? configured : "python3";
    }

    /** Null when DuckDB can be used, else why not. */
    public static String unavailable() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import duckdb").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return python() + " has no duckdb package (" + out.strip().lines().reduce((a, b) -> b).orElse("") + ")";
            }
            return null;
        } catch (IOException e) {
            return "no " + python() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * {rows, distinct (prompt_id, seed, recipe), largest count of one cell} of {@code runDir}/images, as
     * DuckDB counts them.
     */
    public static long[] cellCounts(String runDir) throws IOException, InterruptedException {
        String script = """
                import duckdb, sys
                rel = duckdb.sql("select prompt_id, seed, recipe from read_parquet(?)", params=[sys.argv[1] + "/images/**/*.parquet"])
                rows = duckdb.sql("select count(*) from rel").fetchone()[0]
                cells, most = duckdb.sql("select count(*), coalesce(max(n), 0) from (select count(*) n from rel group by prompt_id, seed, recipe)").fetchone()
                print(rows, cells, most)
                """;
        Process p = new ProcessBuilder(List.of(python(), "-c", script, runDir)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("duckdb failed: " + out);
        }
        String[] parts = out.lines().reduce((a, b) -> b).orElse("").split(" ");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }
}
