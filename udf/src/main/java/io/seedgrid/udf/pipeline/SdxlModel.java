package io.seedgrid.udf.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.sampler.NoiseSchedule;
import io.seedgrid.udf.sampler.SchedulerConfig;
import io.seedgrid.udf.tokenizer.ClipTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An SDXL model ready to run: where its four sub-models are and how their sessions are built, both
 * tokenizers, its noise schedule and VAE latent scale, with the signature checked. Made once per JVM for a
 * (directory, UNet, settings) triple.
 *
 * <p>The sessions themselves live in the JVM's {@link SessionCache}, which may close a model's sessions
 * when another needs the device's memory: {@link #open()} holds them for a batch.
 */
public final class SdxlModel {

    /** SDXL's VAE latent scale, used when {@code vae_decoder/config.json} does not give one. */
    public static final double SDXL_VAE_SCALING = 0.13025;

    private record Key(ModelDirectory directory, Path unet, SessionSettings settings) {
    }

    private static final Map<Key, SdxlModel> MODELS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelDirectory directory;
    private final Path unetFile;
    private final SessionSettings textSettings;
    private final SessionSettings unetSettings;
    private final SessionSettings vaeSettings;
    private final ClipTokenizer tokenizer1;
    private final ClipTokenizer tokenizer2;
    private final OnnxJavaType latentType;
    private final Path textEncoderFiles;
    private final SdxlSignature signature;
    private final SchedulerConfig schedulerConfig;
    private final NoiseSchedule noiseSchedule;
    private final double vaeScalingFactor;
    private final int defaultImageSize;

    private SdxlModel(ModelDirectory directory, Path unetFile, SessionSettings settings) {
        this.directory = directory;
        this.unetFile = unetFile;
        boolean tensorRt = settings.device().actual().kind() == Device.Kind.TENSORRT
                && settings.gpu().tensorRt().maxImages() > 0;
        this.textSettings = tensorRt ? settings.withTensorRtProfile(
                TensorRtProfiles.textEncoder(directory.textEncoder(), settings.gpu().tensorRt())) : settings;
        this.unetSettings = tensorRt ? settings.withTensorRtProfile(
                TensorRtProfiles.unet(unetFile, settings.gpu().tensorRt())) : settings;
        this.vaeSettings = tensorRt ? settings.withTensorRtProfile(
                TensorRtProfiles.vaeDecoder(directory.vaeDecoder(), settings.gpu().tensorRt())) : settings;
        this.tokenizer1 = ClipTokenizer.load(directory.tokenizer());
        this.tokenizer2 = ClipTokenizer.load(directory.tokenizer2());
        try (Sessions sessions = new Sessions(this, null)) {
            this.signature = SdxlSignature.check(sessions.textEncoder1.model().signature(),
                    sessions.textEncoder2.model().signature(), sessions.unet.model().signature(),
                    sessions.vae.model().signature());
            this.latentType = sessions.unet.model().input(SdxlSignature.SAMPLE).type();
        }
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

    /**
     * Holds this model's four sessions (loading those the cache does not have) until the result is closed;
     * use them only in between.
     */
    public Sessions open() {
        return new Sessions(this, signature);
    }

    /** The UNet's latent element type ({@code FLOAT} for fp32 exports, {@code FLOAT16} for fp16 ones). */
    public OnnxJavaType unetLatentType() {
        return latentType;
    }

    /** The device the UNet's sessions are built for, as the {@code device} column says it. */
    public String deviceNote() {
        return unetSettings.device().note();
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

    /** A model's sessions, held from {@link #open()} until {@link #close()}. */
    public static final class Sessions implements AutoCloseable {
        private final SessionCache.Lease textEncoder1;
        private final SessionCache.Lease textEncoder2;
        private final SessionCache.Lease unet;
        private final SessionCache.Lease vae;
        private final TextEncoders textEncoders;

        private Sessions(SdxlModel model, SdxlSignature signature) {
            List<SessionCache.Lease> held = new ArrayList<>();
            try {
                textEncoder1 = hold(held, model.directory.textEncoder(), model.textSettings);
                textEncoder2 = hold(held, model.directory.textEncoder2(), model.textSettings);
                unet = hold(held, model.unetFile, model.unetSettings);
                vae = hold(held, model.directory.vaeDecoder(), model.vaeSettings);
            } catch (RuntimeException e) {
                held.forEach(SessionCache.Lease::close);
                throw e;
            }
            textEncoders = signature == null ? null : new TextEncoders(textEncoder1.model(), textEncoder2.model(),
                    model.tokenizer1, model.tokenizer2, signature);
        }

        private static SessionCache.Lease hold(List<SessionCache.Lease> held, Path file, SessionSettings settings) {
            SessionCache.Lease lease = SessionCache.lease(file, settings);
            held.add(lease);
            return lease;
        }

        public OnnxModel unet() {
            return unet.model();
        }

        public OnnxModel vaeDecoder() {
            return vae.model();
        }

        TextEncoders textEncoders() {
            return textEncoders;
        }

        @Override
        public void close() {
            textEncoder1.close();
            textEncoder2.close();
            unet.close();
            vae.close();
        }
    }

    @Override
    public String toString() {
        return "SdxlModel[" + directory.root() + (directory.borrowsBase() ? " on " + directory.baseRoot() : "") + "]";
    }
}
