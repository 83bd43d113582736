package io.seedgrid.jobs.assemble;

import io.seedgrid.udf.pipeline.ModelDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Completes a UNet-only model (DMD2) into a full SDXL folder that other tools load (diffusers' layout,
 * Optimum's ORTStableDiffusionXLPipeline): {@code OUT/unet} links to the UNet-only folder's {@code unet/},
 * every other entry of the base (text encoders, VAE, tokenizers, scheduler, {@code model_index.json}) to
 * the base's; the UNet folder's own {@code scheduler/} wins over the base's, as in seedgrid. Symbolic
 * links with relative targets, so nothing is copied and moving OUT with its two sources keeps it working.
 *
 * @param out   the folder written
 * @param links entry name → the folder or file it links to
 */
public record Assembly(Path out, Map<String, Path> links) {

    /** The provenance-only entries of the sources, which describe them and not the assembled folder. */
    private static final List<String> NOT_LINKED = List.of(ModelDirectory.BASE_FILE, "unet");

    /** Links {@code unetOnly}'s UNet and {@code base}'s other entries (base null: the one unetOnly names) into {@code out}. */
    public static Assembly create(Path unetOnly, Path base, Path out) {
        if (!Files.isRegularFile(unetOnly.resolve("unet/model.onnx"))) {
            throw new IllegalArgumentException(unetOnly + " has no unet/model.onnx: name a UNet-only model folder");
        }
        if (Files.isDirectory(unetOnly.resolve("text_encoder"))) {
            throw new IllegalArgumentException(unetOnly + " is a full model folder already (it has text_encoder/): nothing to assemble");
        }
        ModelDirectory model = ModelDirectory.open(unetOnly, base);
        Path baseRoot = model.baseRoot();
        if (!Files.isRegularFile(baseRoot.resolve("model_index.json"))) {
            throw new IllegalArgumentException("base " + baseRoot + " has no model_index.json: it is not a full SDXL folder");
        }
        Path target = out.toAbsolutePath().normalize();
        if (target.startsWith(model.unetRoot()) || target.startsWith(baseRoot)) {
            throw new IllegalArgumentException("--out " + out + " lies inside a source folder; name a folder beside them");
        }
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new IllegalArgumentException("--out " + out + " exists and is not an empty folder");
        }
        Map<String, Path> links = new LinkedHashMap<>();
        links.put("unet", model.unetRoot().resolve("unet"));
        for (Path entry : list(baseRoot)) {
            String name = entry.getFileName().toString();
            if (!NOT_LINKED.contains(name) && !name.startsWith(".")) {
                links.put(name, entry);
            }
        }
        Path ownScheduler = model.unetRoot().resolve("scheduler");
        if (Files.isDirectory(ownScheduler)) {
            links.put("scheduler", ownScheduler);
        }
        try {
            Files.createDirectories(target);
            Path real = target.toRealPath();
            for (Map.Entry<String, Path> link : links.entrySet()) {
                Path source = link.getValue().toRealPath();
                Files.createSymbolicLink(real.resolve(link.getKey()), real.relativize(source));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link into " + out + ": " + e.getMessage(), e);
        }
        return new Assembly(target, links);
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return new ArrayList<>(entries.sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
