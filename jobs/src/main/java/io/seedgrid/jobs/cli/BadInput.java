package io.seedgrid.jobs.cli;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** Tells bad input (exit code 2) from failures while running (exit code 1). */
final class BadInput {

    private BadInput() {
    }

    /** True for the exceptions validation throws: bad arguments, configs, models, missing files. */
    static boolean is(Throwable e) {
        return e instanceof IllegalArgumentException
                || (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException)
                || e instanceof NoSuchFileException;
    }

    /** The message to show: the exception's own, or its class when it has none. */
    static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
