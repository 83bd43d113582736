package io.seedgrid.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads prompts from a file: {@code .txt} (one prompt per line, blank lines skipped), {@code .jsonl}
 * (objects with {@code prompt} and optional {@code id}, {@code negative_prompt}), {@code .csv} (a header
 * row naming those columns; RFC 4180 quoting) or {@code .parquet} (string columns of those names).
 */
public final class PromptSources {

    static final Set<String> COLUMNS = Set.of("prompt", "id", "negative_prompt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptSources() {
    }

    public static List<PromptEntry> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("prompt file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            List<PromptEntry> prompts;
            if (name.endsWith(".txt")) {
                prompts = text(file);
            } else if (name.endsWith(".jsonl")) {
                prompts = jsonl(file);
            } else if (name.endsWith(".csv")) {
                prompts = csv(file);
            } else if (name.endsWith(".parquet")) {
                prompts = parquet(file);
            } else {
                throw new ConfigException("prompt file " + file + ": expected .txt, .jsonl, .csv or .parquet");
            }
            if (prompts.isEmpty()) {
                throw new ConfigException("prompt file " + file + " holds no prompts");
            }
            return prompts;
        } catch (IOException e) {
            throw new ConfigException("cannot read prompt file " + file + ": " + e.getMessage());
        }
    }

    private static List<PromptEntry> text(Path file) throws IOException {
        List<PromptEntry> prompts = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                prompts.add(PromptEntry.of(null, line.strip(), ""));
            }
        }
        return prompts;
    }

    private static List<PromptEntry> jsonl(Path file) throws IOException {
        List<PromptEntry> prompts = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new ConfigException(where + ": not a JSON object");
            }
            if (!row.isObject()) {
                throw new ConfigException(where + ": expected a JSON object with a \"prompt\"");
            }
            Iterator<String> fields = row.fieldNames();
            while (fields.hasNext()) {
                String field = fields.next();
                if (!COLUMNS.contains(field)) {
                    throw new ConfigException(where + ": unknown field '" + field + "' (allowed: prompt, id, negative_prompt)");
                }
            }
            prompts.add(entry(where, textOf(row, "prompt"), textOf(row, "id"), textOf(row, "negative_prompt")));
        }
        return prompts;
    }

    private static String textOf(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static List<PromptEntry> csv(Path file) throws IOException {
        List<List<String>> rows;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            rows = Csv.parse(reader);
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.get(0);
        int prompt = header.indexOf("prompt");
        if (prompt < 0) {
            throw new ConfigException(file + ": the header row has no 'prompt' column (it has " + header + ")");
        }
        for (String column : header) {
            if (!COLUMNS.contains(column)) {
                throw new ConfigException(file + ": unknown column '" + column + "' (allowed: prompt, id, negative_prompt)");
            }
        }
        int id = header.indexOf("id");
        int negative = header.indexOf("negative_prompt");
        List<PromptEntry> prompts = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            if (row.size() != header.size()) {
                throw new ConfigException(file + ": row " + (r + 1) + " has " + row.size() + " fields, the header " + header.size());
            }
            prompts.add(entry(file + ": row " + (r + 1), row.get(prompt), id < 0 ? null : row.get(id),
                    negative < 0 ? null : row.get(negative)));
        }
        return prompts;
    }

    private static List<PromptEntry> parquet(Path file) throws IOException {
        List<PromptEntry> prompts = new ArrayList<>();
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri());
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(new Configuration()).build()) {
            Group row;
            long n = 0;
            while ((row = reader.read()) != null) {
                n++;
                GroupType type = row.getType();
                if (!type.containsField("prompt")) {
                    throw new ConfigException(file + ": no 'prompt' column (columns: " + type.getFields() + ")");
                }
                prompts.add(entry(file + ": row " + n, optional(row, "prompt"), optional(row, "id"), optional(row, "negative_prompt")));
            }
        }
        return prompts;
    }

    private static String optional(Group row, String column) {
        if (!row.getType().containsField(column) || row.getFieldRepetitionCount(column) == 0) {
            return null;
        }
        return row.getValueToString(row.getType().getFieldIndex(column), 0);
    }

    private static PromptEntry entry(String where, String prompt, String id, String negative) {
        if (prompt == null || prompt.isBlank()) {
            throw new ConfigException(where + ": empty prompt");
        }
        return PromptEntry.of(id, prompt, negative);
    }
}
