package io.seedgrid.jobs.config;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: commas, double quotes around fields that hold commas, quotes or line breaks, "" for a quote.
 * A line break inside a quoted field is kept as one newline, whether the file ends its lines with \n or \r\n.
 */
final class Csv {

    /** One record and the line of the file where it starts (1-based; a quoted field may span lines). */
    record Row(int line, List<String> fields) {
    }

    private Csv() {
    }

    /** The file's records; an unclosed quote is an error naming the row and line where it opened. */
    static List<Row> parse(Reader reader, String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int line = 1;
        int rowLine = 1;
        int quoteLine = 0;
        int c;
        while ((c = reader.read()) != -1) {
            any = true;
            if (quoted) {
                if (c == '"') {
                    reader.mark(1);
                    int next = reader.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next == -1) {
                            break;
                        }
                        reader.reset();
                    }
                } else if (c == '\r' || c == '\n') {
                    if (c == '\r') {
                        reader.mark(1);
                        if (reader.read() != '\n') {
                            reader.reset();
                        }
                    }
                    field.append('\n');
                    line++;
                } else {
                    field.append((char) c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
                quoteLine = line;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r') {
                    reader.mark(1);
                    if (reader.read() != '\n') {
                        reader.reset();
                    }
                }
                row.add(field.toString());
                field.setLength(0);
                rows.add(new Row(rowLine, row));
                row = new ArrayList<>();
                line++;
                rowLine = line;
            } else {
                field.append((char) c);
            }
        }
        if (quoted) {
            throw new ConfigException(name + ": row " + (rows.size() + 1) + " (line " + rowLine + "): the quoted field"
                    + " opened on line " + quoteLine + " is not closed");
        }
        if (any && (field.length() > 0 || !row.isEmpty())) {
            row.add(field.toString());
            rows.add(new Row(rowLine, row));
        }
        return rows;
    }
}
