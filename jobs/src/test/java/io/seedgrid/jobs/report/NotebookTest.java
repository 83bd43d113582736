package io.seedgrid.jobs.report;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.generate.GenerateJob;
import io.seedgrid.jobs.generate.Preflight;
import io.seedgrid.jobs.measure.MeasureJob;
import io.seedgrid.jobs.testing.TestSpark;
import io.seedgrid.jobs.testing.TinyGrid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * notebooks/seedgrid_analysis.ipynb stays a valid nbformat 4 document, committed without outputs, that
 * reads the run's datasets with the current-row rule of {@link io.seedgrid.jobs.measure.MeasureOutputs};
 * and, where a Python with nbclient, ipykernel, pandas, pyarrow, matplotlib, Pillow and datasets is at
 * hand ({@code SEEDGRID_TEST_PYTHON}, which CI's {@code .ci/run} sets up; else the test says why it skips),
 * it runs end to end on a small measured run, started in notebooks/ as Jupyter starts it, and draws its
 * figures.
 */
class NotebookTest {

    @Test
    void theAnalysisNotebookIsAValidCleanNbformat4Document() throws IOException {
        JsonNode nb = new ObjectMapper().readTree(TinyGrid.repo().resolve("notebooks/seedgrid_analysis.ipynb").toFile());
        assertEquals(4, nb.path("nbformat").asInt());
        assertTrue(nb.path("nbformat_minor").asInt() >= 4);
        assertEquals("python", nb.path("metadata").path("kernelspec").path("language").asText());
        List<String> code = new ArrayList<>();
        for (JsonNode cell : nb.path("cells")) {
            String type = cell.path("cell_type").asText();
            assertTrue(type.equals("code") || type.equals("markdown"), type);
            assertTrue(cell.path("metadata").isObject());
            assertTrue(cell.path("id").asText().matches("[a-zA-Z0-9_-]{1,64}"), "nbformat 4.5 cell ids");
            StringBuilder source = new StringBuilder();
            cell.path("source").forEach(line -> source.append(line.asText()));
            if (cell.path("source").isTextual()) {
                source.append(cell.path("source").asText());
            }
            if (type.equals("code")) {
                assertTrue(cell.path("outputs").isArray() && cell.path("outputs").isEmpty(), "committed without outputs");
                assertTrue(cell.path("execution_count").isNull());
                code.add(source.toString());
            }
        }
        String all = String.join("\n", code);
        assertTrue(all.contains("RUN = \"runs/demo\""));
        assertTrue(all.contains("os.environ.get(\"SEEDGRID_RUN\", RUN)"));
        for (String dataset : List.of("read_folder(\"images\"", "read_folder(\"groups\")", "read_folder(\"recipes\")",
                "read_folder(\"pairs\")", "load_dataset(\"parquet\", data_files=str(run / \"images\" / \"**\" / \"*.parquet\")")) {
            assertTrue(all.contains(dataset), dataset);
        }
        // the current groups/ row: latest measured_at, then the larger attempt, per (prompt_id, recipe)
        assertTrue(all.contains("sort_values([\"measured_at\", \"attempt\"], ascending=False"), "current-row rule");
        assertTrue(all.contains("drop_duplicates([\"prompt_id\", \"recipe\"])"), "current-row rule");
        assertTrue(all.contains("key = [\"prompt_id\", \"recipe\", \"group_key\", \"attempt\"]"), "current pairs rule");
    }

    @Test
    void theNotebookRunsOnAMeasuredRunAndDrawsItsFigures(@TempDir Path dir) throws Exception {
        String python = System.getenv().getOrDefault("SEEDGRID_TEST_PYTHON", "python3");
        String missing = missing(python);
        if (missing != null) {
            System.out.println("NotebookTest: execution skipped: " + missing);
            return;
        }
        Path models = TinyGrid.copyMetricModels(dir.resolve("models"));
        RunConfig config = ReportFixtures.config(dir, "nb", """
                  - {prompt: a red cube on a blue floor, id: cube}
                  - {prompt: a green sphere, id: sphere}
                """, ReportFixtures.allMetrics(models, "base"));
        GenerateJob.run(config, Preflight.check(config), TestSpark.session(), ReportFixtures.QUIET,
                GenerateJob.Options.defaults());
        MeasureJob.run(config, TestSpark.session(), ReportFixtures.QUIET, GenerateJob.WaveListener.NONE);

        Path executed = dir.resolve("executed.ipynb");
        String script = """
                import sys, nbformat
                from nbclient import NotebookClient
                nb = nbformat.read(sys.argv[1], as_version=4)
                NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
                nbformat.write(nb, sys.argv[3])
                """;
        ProcessBuilder builder = new ProcessBuilder(python, "-c", script,
                TinyGrid.repo().resolve("notebooks/seedgrid_analysis.ipynb").toString(),
                TinyGrid.repo().resolve("notebooks").toString(), executed.toString()).redirectErrorStream(true);
        builder.environment().put("SEEDGRID_RUN", config.runDirectory());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), "the notebook ran within 10 minutes");
        assertEquals(0, process.exitValue(), out);

        JsonNode nb = new ObjectMapper().readTree(executed.toFile());
        int figures = 0;
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode output : cell.path("outputs")) {
                assertTrue(!"error".equals(output.path("output_type").asText()), output.toString());
                if (output.path("data").has("image/png")) {
                    figures++;
                }
                output.path("text").forEach(line -> text.append(line.asText()));
            }
        }
        // the two recipe plots, the diversity-adherence plot, the contact sheet, the pairs box plot, the dataset's image
        assertTrue(figures >= 5, figures + " figures");
        assertTrue(text.toString().contains("12 cells, 2 prompts, 3 seeds"), text.toString());
        assertTrue(text.toString().contains("4 groups"), text.toString());
        assertTrue(text.toString().contains("Image(mode=None, decode=True)"), "the image column typed without a cast: " + text);
    }

    /** Null when {@code python} has what the notebook needs, else what is missing. */
    private static String missing(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import nbclient, nbformat, ipykernel, pandas, pyarrow, matplotlib,"
                    + " PIL, datasets").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? null : python + ": " + out.strip().lines().reduce((a, b) -> b).orElse("");
        } catch (IOException | InterruptedException e) {
            return python + ": " + e.getMessage();
        }
    }
}
