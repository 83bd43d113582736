package io.seedgrid.jobs.testing;

import io.seedgrid.jobs.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** The command line run in-process: its exit code, what it printed (commands print to System.out) and its errors. */
public record Cli(int code, String out, String err) {

    public static synchronized Cli run(String... args) {
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
        return new Cli(code, out + printed.toString(StandardCharsets.UTF_8), err.toString());
    }
}
