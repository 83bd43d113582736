package io.seedgrid.jobs.cli;

import ai.onnxruntime.OrtException;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Set;

/** Tells bad input (exit code 2) from failures while running (exit code 1), and says either in one line. */
final class BadInput {

    /** ONNX Runtime's answers to a model file it cannot load: the file is the problem, not the run. */
    private static final Set<OrtException.OrtErrorCode> MODEL_FILE_ERRORS = Set.of(
            OrtException.OrtErrorCode.ORT_INVALID_PROTOBUF, OrtException.OrtErrorCode.ORT_INVALID_GRAPH,
            OrtException.OrtErrorCode.ORT_NO_SUCHFILE, OrtException.OrtErrorCode.ORT_NO_MODEL);

    private BadInput() {
    }

    /**
     * True for the exceptions validation throws (bad arguments, configs, models, missing files) and for a
     * model file ONNX Runtime refuses to load (a session's load error names the file).
     */
    static boolean is(Throwable e) {
        if (e instanceof IllegalArgumentException || e instanceof NoSuchFileException
                || (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException)) {
            return true;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof OrtException ort && MODEL_FILE_ERRORS.contains(ort.getCode())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The message to show, on one line for bad input: the exception's own (its class when it has none), the
     * operating system's reason for a file error, and every control character escaped, since messages
     * quote prompts, paths and file contents that may hold any character.
     */
    static String message(Throwable e) {
        String message;
        if (e instanceof FileSystemException fs) {
            message = reason(fs);
        } else if (e instanceof UncheckedIOException u) {
            String own = u.getMessage();
            message = own == null || own.equals(u.getCause().toString()) ? reason(u.getCause())
                    : own + ": " + reason(u.getCause());
        } else {
            message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        }
        return escape(message, is(e));
    }

    /** What the operating system said about a failed file operation, with the file. */
    private static String reason(Throwable cause) {
        if (cause instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile() + (missing.getReason() == null ? "" : " (" + missing.getReason() + ")");
        }
        if (cause instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (cause instanceof FileSystemException fs) {
            return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName());
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /**
     * Escapes control characters (Unicode Cc) and the bidirectional overrides (which reorder what a
     * terminal shows) as {@code \n}, {@code \t} or {@code \\uXXXX}; line breaks too when {@code oneLine}.
     */
    static String escape(String text, boolean oneLine) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean bidi = (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
            if (c == '\n' && !oneLine) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.getType(c) == Character.CONTROL || bidi) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
