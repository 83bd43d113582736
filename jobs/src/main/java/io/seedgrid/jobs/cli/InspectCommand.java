package io.seedgrid.jobs.cli;

import picocli.CommandLine.Command;

/** {@code seedgrid inspect}: look inside models, tokenizers, schedules and seeds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Look inside a model, a tokenizer, a sampler's schedule or a seed's noise (prints JSON).",
        subcommands = {InspectModelCommand.class, InspectTokensCommand.class, InspectScheduleCommand.class,
                InspectNoiseCommand.class},
        commandListHeading = "%nCommands:%n")
final class InspectCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
