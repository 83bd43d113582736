package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.OnnxSignature;
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
        this.signature = SdxlSignature.check(OnnxSignature.of(textEncoder), OnnxSignature.of(textEncoder2),
                OnnxSignature.of(unet), OnnxSignature.of(vaeDecoder));
        ClipTokenizer tokenizer1 = ClipTokenizer.load(directory.tokenizer());
        ClipTokenizer tokenizer2 = ClipTokenizer.load(directory.tokenizer2());
        this.textEncoders = new TextEncoders(textEncoder, textEncoder2, tokenizer1, tokenizer2, signature);
        this.textEncoderFiles = directory.textEncoder().getParent().getParent();
        this.schedulerConfig = schedulerConfig(directory);
        this.noiseSchedule = NoiseSchedule.of(schedulerConfig);
        this.vaeScalingFactor = vaeScalingFactor(directory);
        this.defaultImageSize = defaultImageSize(unetFile);
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

    /** The model's scheduler config (its own, else the base's), else SDXL's. */
    static SchedulerConfig schedulerConfig(ModelDirectory directory) {
        return directory.schedulerConfig().map(SchedulerConfig::read).orElseGet(SchedulerConfig::sdxl);
    }

    /** The VAE latent scale of {@code vae_decoder/config.json}, else SDXL's. */
    static double vaeScalingFactor(ModelDirectory directory) {
        return directory.vaeConfig().map(SdxlModel::scalingFactor).orElse(SDXL_VAE_SCALING);
    }

    /** 8 × {@code sample_size} of the UNet's {@code config.json}, else 1024. */
    static int defaultImageSize(Path unetFile) {
        return 8 * configInt(unetFile.resolveSibling("config.json"), "sample_size", 128);
    }

    private static int configInt(Path config, String key, int fallback) {
        if (!java.nio.file.Files.isRegularFile(config)) {
            return fallback;
        }
        try {
            JsonNode value = JSON.readTree(config.toFile()).get(key);
            return value != null && value.canConvertToInt() ? value.asInt() : fallback;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(config + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
    }

    private static double scalingFactor(Path vaeConfig) {
        try {
            JsonNode factor = JSON.readTree(vaeConfig.toFile()).get("scaling_factor");
            return factor != null && factor.isNumber() ? factor.asDouble() : SDXL_VAE_SCALING;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(vaeConfig + " is not valid JSON: " + e.getOriginalMessage(), e);
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
