package io.seedgrid.jobs.generate;

import io.seedgrid.jobs.config.ModelConfig;
import io.seedgrid.udf.onnx.GpuOptions;
import io.seedgrid.udf.onnx.ModelHash;
import io.seedgrid.udf.pipeline.ModelDirectory;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A run config's model as executors need it: where it is (paths only: executors load it themselves),
 * the device it asks for with its GPU options, and its content hash — SHA-256 over the content hashes of
 * its four sub-models (text encoders, UNet, VAE decoder), so that a re-exported model never passes for the old.
 */
public record ModelIdentity(String name, String path, String base, String device, String sha256, GpuOptions gpu)
        implements Serializable {

    public ModelIdentity {
        gpu = gpu == null ? GpuOptions.DEFAULTS : gpu;
    }

    /** A model with the default GPU options. */
    public ModelIdentity(String name, String path, String base, String device, String sha256) {
        this(name, path, base, device, sha256, GpuOptions.DEFAULTS);
    }

    /** Opens the model's directory (checking it is complete) and hashes it; hashes are cached beside the model. */
    public static ModelIdentity of(ModelConfig config) {
        return new ModelIdentity(config.name(), config.path(), config.base(), config.device(), contentHash(directory(config)),
                config.gpu());
    }

    /**
     * The model's content hash: SHA-256 over the hex SHA-256 of its text encoders, UNet and VAE decoder files.
     * The one model hash seedgrid writes everywhere (images' {@code models}, cell ids, both PNG chunks, from
     * {@code generate} and {@code render} alike).
     */
    public static String contentHash(ModelDirectory dir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path part : List.of(dir.textEncoder(), dir.textEncoder2(), dir.unet(), dir.vaeDecoder())) {
                sha.update(ModelHash.sha256(part).getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model's directory, borrowing from its base when it names one. */
    public ModelDirectory directory() {
        return ModelDirectory.open(Path.of(path), base == null ? null : Path.of(base));
    }

    private static ModelDirectory directory(ModelConfig config) {
        try {
            return ModelDirectory.open(Path.of(config.path()), config.base() == null ? null : Path.of(config.base()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + config.name() + "': " + e.getMessage(), e);
        }
    }
}
