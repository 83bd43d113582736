package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.inspect.NoiseReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seedgrid inspect noise}. */
@Command(name = "noise", mixinStandardHelpOptions = true,
        description = "The initial latent noise of a seed (and the next draws of its generator) as JSON, equal to"
                + " torch.randn(shape, generator=torch.Generator(\"cpu\").manual_seed(seed)).")
final class InspectNoiseCommand implements Callable<Integer> {

    @Option(names = "--seed", required = true, description = "seed, unsigned 64-bit")
    String seed;

    @Option(names = "--shape", defaultValue = "1,4,128,128", description = "comma-separated shape (default: ${DEFAULT-VALUE}, SDXL at 1024²)")
    String shape;

    @Option(names = "--draws", defaultValue = "1", description = "consecutive draws from the same generator (default: ${DEFAULT-VALUE})")
    int draws;

    @Override
    public Integer call() {
        System.out.println(NoiseReport.json(seed, shape, draws));
        return 0;
    }
}
