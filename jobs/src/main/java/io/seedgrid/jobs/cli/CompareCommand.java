package io.seedgrid.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.InputFiles;
import io.seedgrid.jobs.measure.MetricModels;
import io.seedgrid.jobs.measure.MetricSuite;
import io.seedgrid.jobs.measure.PairComparison;
import io.seedgrid.udf.image.PngFile;
import io.seedgrid.udf.image.RgbImage;
import io.seedgrid.udf.onnx.SessionSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code seedgrid compare A.png B.png}: the pairwise metrics of two images, as JSON. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Print the pairwise metrics of two images of one size as JSON: SSIM and MS-SSIM (with its"
                + " method: images under 161 px per side are upsampled) always, LPIPS and embedding distances"
                + " (1 - cos) when their models are given, CLIP scores of both images with --clip and --prompt.")
final class CompareCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "A", description = "first image (PNG)")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "second image (PNG), same size as A")
    Path b;

    @Option(names = "--lpips", paramLabel = "DIR", description = "LPIPS metric model directory")
    Path lpips;

    @Option(names = "--encoder", paramLabel = "DIR", description = "image embedding model directory (repeatable)")
    List<Path> encoders = new ArrayList<>();

    @Option(names = "--clip", paramLabel = "DIR", description = "CLIP pair directory (its image tower also gives a distance)")
    Path clip;

    @Option(names = "--prompt", description = "prompt for the CLIP scores (needs --clip)")
    String prompt;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() throws Exception {
        if ((clip == null) != (prompt == null)) {
            throw new IllegalArgumentException("--clip and --prompt go together: a CLIP score needs a model and a prompt");
        }
        RgbImage imageA = image(a);
        RgbImage imageB = image(b);
        if (lpips != null) {
            InputFiles.requireDirectory("--lpips", lpips);
        }
        encoders.forEach(dir -> InputFiles.requireDirectory("--encoder", dir));
        if (clip != null) {
            InputFiles.requireDirectory("--clip", clip);
        }
        MetricModels models = new MetricModels(path(lpips), encoders.stream().map(CompareCommand::path).toList(),
                path(clip), true);
        models.checkFiles();
        MetricSuite suite = MetricSuite.get(models, SessionSettings.forDevice(device, 0));
        ObjectNode out = JSON.createObjectNode();
        out.put("a", a.toString());
        out.put("b", b.toString());
        out.setAll(PairComparison.compare(imageA, imageB, suite, prompt));
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return 0;
    }

    private static RgbImage image(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(InputFiles.requireFile(null, file));
        try {
            return PngFile.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String path(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize().toString();
    }
}
