package io.seedgrid.jobs.cli;

import picocli.CommandLine.Command;

/** {@code seedgrid bench}: measurements whose numbers go into notes and the README, never into test assertions. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints what it measured and a ratio against a baseline from the same run.",
        subcommands = {BenchPipelineCommand.class, BenchGenerateCommand.class, BenchLpipsCommand.class,
                BenchSsimCommand.class, BenchThroughputCommand.class, BenchScaleCommand.class, BenchPngCommand.class,
                BenchOverlapCommand.class},
        commandListHeading = "%nCommands:%n")
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
