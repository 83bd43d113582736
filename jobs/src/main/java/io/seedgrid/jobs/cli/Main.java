package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.GracefulStop;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code seedgrid} command line. Exit codes: 0 success, 1 a failure while running, 2 bad input
 * (a bad option, config, model or prompt: the message names the problem and nothing is written), 143 and
 * 130 a stage stopped by SIGTERM or SIGINT (what it committed stays; a rerun resumes).
 */
@Command(name = "seedgrid", mixinStandardHelpOptions = true, versionProvider = BuildInfo.VersionProvider.class,
        description = "Seed-diversity grids for SDXL and distilled SDXL on Spark and ONNX Runtime.",
        subcommands = {RunCommand.class, TuneCommand.class, RenderCommand.class, GenerateCommand.class, MeasureCommand.class,
                ReportCommand.class, CompareCommand.class, InspectCommand.class, AssembleCommand.class, BenchCommand.class,
                DoctorCommand.class},
        commandListHeading = "%nCommands:%n")
public final class Main implements Runnable {

    /** Bad input: the option, config, model or prompt is wrong. */
    public static final int BAD_INPUT = 2;
    /** A failure while running. */
    public static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns its exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof GracefulStop.Interrupted interrupted) {
                commandLine.getErr().println("seedgrid: " + interrupted.getMessage());
                return interrupted.exitCode();
            }
            if (GracefulStop.requested()) {
                commandLine.getErr().println("seedgrid: interrupted by SIG" + GracefulStop.signal() + " ("
                        + BadInput.message(e) + "); what was committed stays, a rerun resumes");
                return GracefulStop.signal().exitCode();
            }
            boolean badInput = BadInput.is(e);
            commandLine.getErr().println("seedgrid: " + (badInput ? "error: " : "failed: ") + BadInput.message(e));
            if (!badInput && System.getenv("SEEDGRID_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return badInput ? BAD_INPUT : FAILED;
        });
        // A bad option or argument: one line naming it, and where the options are listed (not the whole usage).
        cli.setParameterExceptionHandler((e, given) -> {
            CommandLine command = e.getCommandLine();
            command.getErr().println("seedgrid: error: " + BadInput.escape(e.getMessage(), true) + " (`"
                    + command.getCommandSpec().qualifiedName() + " --help` lists the options)");
            return BAD_INPUT;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
