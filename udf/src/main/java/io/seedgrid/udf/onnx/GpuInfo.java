package io.seedgrid.udf.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The NVIDIA GPUs this machine shows, as {@code nvidia-smi} lists them (name, driver version, memory), asked
 * once per JVM. Only used to describe a device (the {@code device} column, {@code seedgrid doctor}, the
 * default session memory budget), never to decide whether CUDA works: the probe does that.
 *
 * <p>CUDA numbers the GPUs it is allowed to see ({@code CUDA_VISIBLE_DEVICES}, indices or UUIDs) from 0;
 * {@link #forCudaIndex} maps back through that list. nvidia-smi orders GPUs by PCI bus, CUDA by default
 * fastest first ({@code CUDA_DEVICE_ORDER=PCI_BUS_ID} makes them agree): on a machine of identical GPUs the
 * difference does not show.
 */
public final class GpuInfo {

    /** One GPU as nvidia-smi lists it. */
    public record Gpu(int index, String uuid, String name, String driver, long memoryMiB) {

        /** "NAME, driver VERSION": what the device note says about the GPU. */
        public String describe() {
            return name + ", driver " + driver;
        }

        /** The GPU's memory in bytes. */
        public long memoryBytes() {
            return memoryMiB * 1024 * 1024;
        }
    }

    /** The query seedgrid makes; its columns are what {@link #parse} reads. */
    static final List<String> COMMAND = List.of("nvidia-smi",
            "--query-gpu=index,uuid,name,driver_version,memory.total", "--format=csv,noheader,nounits");

    private static volatile List<Gpu> gpus;

    private GpuInfo() {
    }

    /** The GPUs nvidia-smi lists; empty when it is not installed or fails (asked once per JVM). */
    public static List<Gpu> all() {
        List<Gpu> known = gpus;
        if (known == null) {
            synchronized (GpuInfo.class) {
                known = gpus;
                if (known == null) {
                    known = query();
                    gpus = known;
                }
            }
        }
        return known;
    }

    /** The GPU CUDA calls {@code cudaIndex} in this process, when nvidia-smi lists it. */
    public static Optional<Gpu> forCudaIndex(int cudaIndex) {
        return select(all(), System.getenv("CUDA_VISIBLE_DEVICES"), cudaIndex);
    }

    /** {@link #forCudaIndex} over a given list and {@code CUDA_VISIBLE_DEVICES} value (null = all visible). */
    static Optional<Gpu> select(List<Gpu> gpus, String visibleDevices, int cudaIndex) {
        if (visibleDevices == null || visibleDevices.isBlank()) {
            return gpus.stream().filter(g -> g.index() == cudaIndex).findFirst();
        }
        String[] visible = visibleDevices.split(",");
        if (cudaIndex < 0 || cudaIndex >= visible.length) {
            return Optional.empty();
        }
        String id = visible[cudaIndex].strip();
        if (id.matches("\\d+")) {
            int index = Integer.parseInt(id);
            return gpus.stream().filter(g -> g.index() == index).findFirst();
        }
        // CUDA accepts a UUID or a unique prefix of one ("GPU-5f3a").
        return gpus.stream().filter(g -> !id.isEmpty() && g.uuid().startsWith(id)).findFirst();
    }

    /** Parses nvidia-smi's CSV rows ({@link #COMMAND}); rows that do not parse are skipped. */
    static List<Gpu> parse(String csv) {
        List<Gpu> out = new ArrayList<>();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length != 5) {
                continue;
            }
            try {
                out.add(new Gpu(Integer.parseInt(f[0].strip()), f[1].strip(), f[2].strip(), f[3].strip(),
                        Long.parseLong(f[4].strip())));
            } catch (NumberFormatException e) {
                // "[N/A]" or a message instead of a row
            }
        }
        return List.copyOf(out);
    }

    private static List<Gpu> query() {
        try {
            Process p = new ProcessBuilder(COMMAND).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return p.exitValue() == 0 ? parse(out) : List.of();
        } catch (IOException e) {
            return List.of(); // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
