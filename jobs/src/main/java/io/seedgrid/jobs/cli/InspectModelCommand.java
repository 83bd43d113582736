package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.inspect.ModelReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid inspect model DIR}. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Every sub-model of an SDXL directory with its inputs and outputs (name, dtype, shape), file sizes"
                + " and content hash, and whether it fits the SDXL signature (exit code 2 when it does not).")
final class InspectModelCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "model directory (Optimum SDXL layout, or a UNet-only directory)")
    Path dir;

    @Option(names = "--base", description = "base directory for a UNet-only model, if it names none itself")
    Path base;

    @Override
    public Integer call() throws Exception {
        ModelReport report = ModelReport.of(dir, base);
        System.out.println(report.json());
        if (!report.fits()) {
            System.err.println("seedgrid: error: " + report.problem());
            return Main.BAD_INPUT;
        }
        return 0;
    }
}
