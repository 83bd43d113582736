package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.generate.GenerateBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid bench generate CONFIG}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Images per second of the Spark generation job against a plain loop of the same cells in one JVM,"
                + " measured in one run (the job writes to a scratch folder, not to the config's output).")
final class BenchGenerateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "run config (YAML); its whole grid is rendered 2 x rounds + 1 times")
    Path config;

    @Option(names = "--threads", defaultValue = "2", description = "threads of the plain loop (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--rounds", defaultValue = "3", description = "Spark runs, each between two loop runs"
            + " (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || rounds < 1) {
            throw new IllegalArgumentException("--threads and --rounds must be at least 1");
        }
        RunConfig run = RunConfigParser.parse(config);
        Path scratch = Files.createTempDirectory("seedgrid-bench");
        var spark = RunConfigArgs.session(run, master);
        System.out.println(GenerateBench.run(run, spark, threads, rounds, scratch, System.out).report());
        System.out.println("scratch output (safe to delete): " + scratch);
        return 0;
    }
}
