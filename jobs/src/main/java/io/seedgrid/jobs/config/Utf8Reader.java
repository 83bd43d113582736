package io.seedgrid.jobs.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a text file that must be UTF-8, strictly: the first byte that is not part of valid UTF-8 stops
 * it with "FILE: not UTF-8 at byte N (line L)" (N counted from 0, as Python counts). A leading byte
 * order mark is dropped. Optional limits stop it as soon as the text has more characters (code points)
 * than allowed, or a line more characters than allowed, before a parser behind it spends time on the
 * rest; the messages say which limit and how to raise it.
 */
final class Utf8Reader extends Reader {

    /** A limit on what is read: at most {@code chars} characters, lines of at most {@code lineChars} (0: none). */
    record Limits(long chars, long lineChars, String charsHint, String lineHint) {
        static final Limits NONE = new Limits(0, 0, "", "");
    }

    private static final int BUFFER = 8192;

    private final InputStream in;
    private final String name;
    private final Limits limits;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private long bytesBefore;
    private boolean eof;
    private boolean flushed;
    private boolean started;
    private long chars;
    private long line = 1;
    private long lineChars;

    /** A reader of {@code in} (closed with it); {@code name} names it in messages. */
    Utf8Reader(InputStream in, String name, Limits limits) {
        this.in = in;
        this.name = name;
        this.limits = limits;
    }

    /** A reader of {@code file}; the caller closes it. */
    static Utf8Reader open(Path file, Limits limits) throws IOException {
        return new Utf8Reader(Files.newInputStream(file), file.toString(), limits);
    }

    /** Every line of {@code file} (split at \n, \r\n or \r, as {@link java.io.BufferedReader#readLine}). */
    static List<String> lines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (java.io.BufferedReader reader = new java.io.BufferedReader(open(file, Limits.NONE))) {
            for (String l = reader.readLine(); l != null; l = reader.readLine()) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** Characters (code points) read so far. */
    long chars() {
        return chars;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        CharBuffer out = CharBuffer.wrap(buffer, offset, length);
        while (out.position() == offset && !flushed) {
            CoderResult result = decoder.decode(bytes, out, eof);
            if (result.isError()) {
                throw notUtf8(bytesBefore + bytes.position(), out, offset);
            }
            if (result.isUnderflow()) {
                if (eof) {
                    decoder.flush(out);
                    flushed = true;
                } else {
                    refill();
                }
            }
        }
        int produced = out.position() - offset;
        if (produced == 0) {
            return -1;
        }
        if (!started) {
            started = true;
            if (buffer[offset] == '\uFEFF') {
                System.arraycopy(buffer, offset + 1, buffer, offset, --produced);
                if (produced == 0) {
                    return read(buffer, offset, length);
                }
            }
        }
        count(buffer, offset, produced);
        return produced;
    }

    private void refill() throws IOException {
        bytesBefore += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    /** Counts characters and lines, and stops at a limit. */
    private void count(char[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            char c = buffer[i];
            if (Character.isLowSurrogate(c)) {
                continue; // the second half of a code point counted at its first
            }
            chars++;
            if (c == '\n') {
                line++;
                lineChars = 0;
            } else {
                lineChars++;
            }
            if (limits.chars() > 0 && chars > limits.chars()) {
                throw new ConfigException(name + ": more than " + limits.chars() + " characters" + limits.charsHint());
            }
            if (limits.lineChars() > 0 && lineChars > limits.lineChars()) {
                throw new ConfigException(name + ":" + line + ": the line is longer than " + limits.lineChars()
                        + " characters" + limits.lineHint());
            }
        }
    }

    private ConfigException notUtf8(long offset, CharBuffer out, int start) {
        // Lines before the bad byte: those already handed out, and those decoded into this call's buffer.
        long lineOfByte = line;
        for (int i = start; i < out.position(); i++) {
            if (out.get(i) == '\n') {
                lineOfByte++;
            }
        }
        int value = bytes.get(bytes.position()) & 0xff;
        return new ConfigException(String.format("%s: not UTF-8 at byte %d (line %d): 0x%02x", name, offset, lineOfByte, value));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
