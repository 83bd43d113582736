package io.seedgrid.jobs.report;

import io.seedgrid.jobs.testing.TinyGrid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * notebooks/seedgrid_analysis.ipynb stays a valid nbformat 4 document, committed without outputs, that
 * reads the run's datasets with the current-row rule of {@link io.seedgrid.jobs.measure.MeasureOutputs}.
 * (Its code is run with Python by hand, see notebooks/README.md; tests never need Python.)
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
        for (String dataset : List.of("read_folder(\"images\"", "read_folder(\"groups\")", "read_folder(\"recipes\")",
                "read_folder(\"pairs\")", "load_dataset(\"parquet\"")) {
            assertTrue(all.contains(dataset), dataset);
        }
        // the current groups/ row: latest measured_at, then the larger attempt, per (prompt_id, recipe)
        assertTrue(all.contains("sort_values([\"measured_at\", \"attempt\"], ascending=False"), "current-row rule");
        assertTrue(all.contains("drop_duplicates([\"prompt_id\", \"recipe\"])"), "current-row rule");
        assertTrue(all.contains("key = [\"prompt_id\", \"recipe\", \"group_key\", \"attempt\"]"), "current pairs rule");
    }
}
