package io.seedgrid.udf.onnx;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people write them in configs and environment variables: {@code 512m}, {@code 20g}, {@code 1.5t}, bytes. */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

    private ByteSize() {
    }

    /**
     * Reads a size in bytes: a number, optionally with k, m, g or t (powers of 1024; "gb", "GiB" and "G" are
     * the same).
     *
     * @throws IllegalArgumentException naming {@code what} when the text is no size
     */
    public static long parse(String text, String what) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " is a size such as 512m, 20g or a number of bytes, got '" + text + "'");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is too large: '" + text + "'");
        }
        return Math.round(bytes);
    }

    /** {@code bytes} for people: "1.5 GiB", "300 MiB", "12 bytes". */
    public static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        String unit = "bytes";
        for (String u : units) {
            if (value < 1024) {
                break;
            }
            value /= 1024;
            unit = u;
        }
        return unit.equals("bytes") ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, unit);
    }
}
