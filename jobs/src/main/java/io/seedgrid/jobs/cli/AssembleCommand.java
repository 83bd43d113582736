package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.assemble.Assembly;
import io.seedgrid.jobs.inspect.ModelReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seedgrid assemble DMD2_UNET --base BASE --out DIR}. */
@Command(name = "assemble", mixinStandardHelpOptions = true,
        description = "Make a UNet-only model folder (DMD2) into a full SDXL folder for other tools (diffusers' layout,"
                + " Optimum's ORTStableDiffusionXLPipeline): symbolic links to its unet/ and to the base's other"
                + " entries, nothing copied. Checks the result as `inspect model` does (exit code 2 when it does not fit).")
final class AssembleCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DMD2_UNET", description = "the UNet-only model folder (unet/ and seedgrid-export.json)")
    Path unetOnly;

    @Option(names = "--base", description = "the full SDXL folder it borrows from (default: the base its seedgrid-export.json names)")
    Path base;

    @Option(names = "--out", required = true, description = "the folder to write (new or empty)")
    Path out;

    @Override
    public Integer call() {
        Assembly assembly = Assembly.create(unetOnly, base, out);
        for (Map.Entry<String, Path> link : assembly.links().entrySet()) {
            System.out.println(assembly.out().resolve(link.getKey()) + " -> " + link.getValue());
        }
        ModelReport report = ModelReport.of(assembly.out(), null);
        if (!report.fits()) {
            System.err.println("seedgrid: error: " + report.problem());
            return Main.BAD_INPUT;
        }
        System.out.println("assembled " + assembly.out() + ": fits the SDXL signature, with the configs diffusers reads");
        return 0;
    }
}
