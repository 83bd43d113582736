package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.SchedulerConfig;
import io.seedgrid.udf.tokenizer.ClipTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An SDXL model ready to run: its four sessions (from the JVM's {@link SessionCache}), both tokenizers,
 * its noise schedule and VAE latent scale, with the signature checked. Loaded once per JVM for a
 * (directory, settings) pair.
 */
public final class SdxlModel {

    /** SDXL's VAE latent scale, used when {@code vae_decoder/config.json} does not give one. */
    public static final double SDXL_VAE_SCALING = 0.13025;

    private record Key(ModelDirectory directory, Path unet, SessionSettings settings) {
    }

    private static final Map<Key, SdxlModel> MODELS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelDirectory directory;
    private final OnnxModel unet;
    private final OnnxModel vaeDecoder;
    private final TextEncoders textEncoders;
    private final Path textEncoderFiles;
    private final SdxlSignature signature;
    private final SchedulerConfig schedulerConfig;
    private final NoiseSchedule noiseSchedule;
    private final double vaeScalingFactor;
    private final int defaultImageSize;

    private SdxlModel(ModelDirectory directory, Path unetFile, SessionSettings settings) {
        this.directory = directory;
        OnnxModel textEncoder = SessionCache.get(directory.textEncoder(), settings);
        OnnxModel textEncoder2 = SessionCache.get(directory.textEncoder2(), settings);
        this.unet = SessionCache.get(unetFile, settings);
        this.vaeDecoder = SessionCache.get(directory.vaeDecoder(), settings);
        this.signature = SdxlSignature.check(textEncoder, textEncoder2, unet, vaeDecoder);
        ClipTokenizer tokenizer1 = ClipTokenizer.load(directory.tokenizer());
        ClipTokenizer tokenizer2 = ClipTokenizer.load(directory.tokenizer2());
        this.textEncoders = new TextEncoders(textEncoder, textEncoder2, tokenizer1, tokenizer2, signature);
        this.textEncoderFiles = directory.textEncoder().getParent().getParent();
        this.schedulerConfig = directory.schedulerConfig().map(SchedulerConfig::read).orElseGet(SchedulerConfig::sdxl);
        this.noiseSchedule = NoiseSchedule.of(schedulerConfig);
        this.vaeScalingFactor = directory.vaeConfig().map(SdxlModel::scalingFactor).orElse(SDXL_VAE_SCALING);
        this.defaultImageSize = 8 * configInt(unetFile.resolveSibling("config.json"), "sample_size", 128);
    }

    /** The model in {@code directory}, loaded on first use, shared by the JVM afterwards. */
    public static SdxlModel load(ModelDirectory directory, SessionSettings settings) {
        return MODELS.computeIfAbsent(new Key(directory, directory.unet(), settings),
                key -> new SdxlModel(key.directory(), key.unet(), key.settings()));
    }

    /** The same model with another UNet file (a weight blend), sharing everything else. */
    public static SdxlModel withUnet(ModelDirectory directory, Path unetFile, SessionSettings settings) {
        return MODELS.computeIfAbsent(new Key(directory, unetFile.toAbsolutePath().normalize(), settings),
                key -> new SdxlModel(key.directory(), key.unet(), key.settings()));
    }

    private static int configInt(Path config, String key, int fallback) {
        if (!java.nio.file.Files.isRegularFile(config)) {
            return fallback;
        }
        try {
            JsonNode value = JSON.readTree(config.toFile()).get(key);
            return value != null && value.canConvertToInt() ? value.asInt() : fallback;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
    }

    private static double scalingFactor(Path vaeConfig) {
        try {
            JsonNode factor = JSON.readTree(vaeConfig.toFile()).get("scaling_factor");
            return factor != null && factor.isNumber() ? factor.asDouble() : SDXL_VAE_SCALING;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + vaeConfig, e);
        }
    }

    public ModelDirectory directory() {
        return directory;
    }

    public OnnxModel unet() {
        return unet;
    }

    public OnnxModel vaeDecoder() {
        return vaeDecoder;
    }

    TextEncoders textEncoders() {
        return textEncoders;
    }

    /** Identifies the text encoders, so that phases whose models share them encode a prompt once. */
    Path textEncoderIdentity() {
        return textEncoderFiles;
    }

    public SdxlSignature signature() {
        return signature;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public NoiseSchedule noiseSchedule() {
        return noiseSchedule;
    }

    public double vaeScalingFactor() {
        return vaeScalingFactor;
    }

    /** The image size the UNet was trained for: 8 × {@code sample_size} of {@code unet/config.json}, else 1024. */
    public int defaultImageSize() {
        return defaultImageSize;
    }

    @Override
    public String toString() {
        return "SdxlModel[" + directory.root() + (directory.borrowsBase() ? " on " + directory.baseRoot() : "") + "]";
    }
}
