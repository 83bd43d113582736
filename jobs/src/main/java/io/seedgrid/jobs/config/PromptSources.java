package io.seedgrid.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.jobs.InputFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads prompts from a file: {@code .txt} (one prompt per line, blank lines skipped), {@code .jsonl}
 * (objects with {@code prompt} and optional {@code id}, {@code negative_prompt}), {@code .csv} (a header
 * row naming those columns; RFC 4180 quoting) or {@code .parquet} (string columns of those names). Text
 * files must be UTF-8 ("not UTF-8 at byte N (line L)"); every prompt follows {@link PromptText}'s rule.
 */
public final class PromptSources {

    static final Set<String> COLUMNS = Set.of("prompt", "id", "negative_prompt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptSources() {
    }

    /**
     * The prompts of {@code file}, each checked by the one rule of {@link PromptText}; errors name the file
     * and the line or row.
     */
    public static List<PromptEntry> read(Path file, Limits limits) {
        String problem = InputFiles.fileProblem(file);
        if (problem != null) {
            throw new ConfigException("prompt file: " + problem);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            List<PromptEntry> prompts;
            if (name.endsWith(".txt")) {
                prompts = text(file, limits);
            } else if (name.endsWith(".jsonl")) {
                prompts = jsonl(file, limits);
            } else if (name.endsWith(".csv")) {
                prompts = csv(file, limits);
            } else if (name.endsWith(".parquet")) {
                prompts = parquet(file, limits);
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

    private static List<PromptEntry> text(Path file, Limits limits) throws IOException {
        List<PromptEntry> prompts = new ArrayList<>();
        List<String> lines = Utf8Reader.lines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                prompts.add(entry(file + ": line " + (i + 1), lines.get(i).strip(), null, null, limits));
            }
        }
        return prompts;
    }

    private static List<PromptEntry> jsonl(Path file, Limits limits) throws IOException {
        List<PromptEntry> prompts = new ArrayList<>();
        List<String> lines = Utf8Reader.lines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + ": line " + (i + 1);
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
            prompts.add(entry(where, textOf(row, "prompt"), textOf(row, "id"), textOf(row, "negative_prompt"), limits));
        }
        return prompts;
    }

    private static String textOf(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static List<PromptEntry> csv(Path file, Limits limits) throws IOException {
        List<Csv.Row> rows;
        try (Reader reader = new BufferedReader(Utf8Reader.open(file, Utf8Reader.Limits.NONE))) {
            rows = Csv.parse(reader, file.toString());
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.get(0).fields();
        int prompt = header.indexOf("prompt");
        if (prompt < 0) {
            throw new ConfigException(file + ": row 1: the header row has no 'prompt' column (it has " + header + ")");
        }
        for (String column : header) {
            if (!COLUMNS.contains(column)) {
                throw new ConfigException(file + ": row 1: unknown column '" + column + "' (allowed: prompt, id, negative_prompt)");
            }
        }
        int id = header.indexOf("id");
        int negative = header.indexOf("negative_prompt");
        List<PromptEntry> prompts = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r).fields();
            String where = file + ": row " + (r + 1) + " (line " + rows.get(r).line() + ")";
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            if (row.size() != header.size()) {
                throw new ConfigException(where + ": " + row.size() + " fields, the header has " + header.size());
            }
            prompts.add(entry(where, row.get(prompt), id < 0 ? null : row.get(id), negative < 0 ? null : row.get(negative),
                    limits));
        }
        return prompts;
    }

    private static List<PromptEntry> parquet(Path file, Limits limits) {
        List<PromptEntry> prompts = new ArrayList<>();
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri());
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(new Configuration()).build()) {
            Group row;
            long n = 0;
            while ((row = reader.read()) != null) {
                n++;
                String where = file + ": row " + n;
                GroupType type = row.getType();
                if (!type.containsField("prompt")) {
                    throw new ConfigException(file + ": no 'prompt' column (columns: " + type.getFields() + ")");
                }
                prompts.add(entry(where, optional(where, row, "prompt"), optional(where, row, "id"),
                        optional(where, row, "negative_prompt"), limits));
            }
        } catch (ConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Parquet says "footer is too large", "not a Parquet file", ...: the file is the problem.
            throw new ConfigException("prompt file " + file + " is not a readable Parquet file: " + e.getMessage());
        }
        return prompts;
    }

    /** A string column's value in this row, strictly UTF-8, or null when the row has none. */
    private static String optional(String where, Group row, String column) {
        if (!row.getType().containsField(column) || row.getFieldRepetitionCount(column) == 0) {
            return null;
        }
        Type type = row.getType().getType(column);
        if (!type.isPrimitive() || type.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY) {
            throw new ConfigException(where + ": column '" + column + "' holds " + type + ", not text");
        }
        byte[] bytes = row.getBinary(column, 0).getBytes();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(where + ": column '" + column + "' is not UTF-8 text");
        }
    }

    private static PromptEntry entry(String where, String prompt, String id, String negative, Limits limits) {
        if (prompt == null || prompt.isBlank()) {
            throw new ConfigException(where + ": empty prompt");
        }
        check(where, "the prompt", prompt, limits);
        if (negative != null) {
            check(where, "the negative prompt", negative, limits);
        }
        try {
            return PromptEntry.of(id, prompt, negative);
        } catch (ConfigException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static void check(String where, String what, String text, Limits limits) {
        String problem = PromptText.problem(what, text, limits);
        if (problem != null) {
            throw new ConfigException(where + ": " + problem + (problem.contains("limits.") ? Limits.raise() : ""));
        }
    }
}
