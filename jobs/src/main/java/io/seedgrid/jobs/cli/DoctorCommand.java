package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.config.RunConfig;
import io.seedgrid.jobs.config.RunConfigParser;
import io.seedgrid.jobs.inspect.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code seedgrid doctor [CONFIG] [--device D]...}. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine for seedgrid's executors: Java, ONNX Runtime and its execution providers, the"
                + " CUDA, cuDNN and TensorRT libraries found and where, the GPUs nvidia-smi lists, Spark's GPU settings,"
                + " then probe and briefly benchmark each device of the config's models (or each --device, default"
                + " auto). Exit code 0 when they all work, 2 when one does not (the report says what to install).")
final class DoctorCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", arity = "0..1", description = "run config whose models' devices to check")
    Path config;

    @Option(names = "--device", description = "a device to check: cpu, cuda[:N], tensorrt[:N] or auto (repeatable;"
            + " default auto; ignored with a CONFIG)")
    List<String> devices = new ArrayList<>();

    @Option(names = "--seconds", defaultValue = "1", description = "benchmark time per working device (default: ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() {
        if (seconds <= 0 || seconds > 600) {
            throw new IllegalArgumentException("--seconds is between 0 and 600, got " + seconds);
        }
        RunConfig run = config == null ? null : RunConfigParser.parse(config);
        Doctor.Result result = Doctor.check(run, devices, Duration.ofMillis(Math.round(seconds * 1000)));
        System.out.print(result.report());
        return result.ok() ? 0 : Main.BAD_INPUT;
    }
}
