package io.seedgrid.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command line in-process and captures its exit code and output. */
record CliRun(int code, String out, String err) {

    static synchronized CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        } finally {
            System.setOut(stdout);
        }
        return new CliRun(code, out + printed.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** The tiny SDXL-signature test models of the udf module. */
    static Path tinyModel(String variant) {
        return repo().resolve("udf/src/test/resources/tiny-sdxl/" + variant);
    }

    static Path repo() {
        String repo = System.getProperty("seedgrid.repo");
        return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
    }
}
