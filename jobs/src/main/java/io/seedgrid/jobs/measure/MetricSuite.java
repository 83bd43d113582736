package io.seedgrid.jobs.measure;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.metrics.ClipSpec;
import io.seedgrid.udf.metrics.ImageEmbedder;
import io.seedgrid.udf.metrics.ImageEmbeddingSpec;
import io.seedgrid.udf.metrics.Lpips;
import io.seedgrid.udf.metrics.LpipsModel;
import io.seedgrid.udf.metrics.LpipsSpec;
import io.seedgrid.udf.metrics.MetricModelSpec;
import io.seedgrid.udf.metrics.TextEmbedder;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.GpuInfo;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.ResolvedDevice;
import io.seedgrid.udf.onnx.SessionCache;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.spark.TaskDevice;
import io.seedgrid.udf.tokenizer.ClipTokenizer;
import org.apache.spark.TaskContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The learned metric models of a {@link MetricModels}, loaded and checked against their declarations
 * (the metric model directory contract): once per JVM and session settings, so every task of an
 * executor shares them (sessions come from {@link SessionCache}). Loading on the driver before any
 * Spark work is the validation: a model that does not fit its {@code seedgrid-metric.json} fails with
 * an IllegalArgumentException naming it.
 */
public final class MetricSuite {

    /**
     * An image embedding model under its column name.
     *
     * @param column the declared name sanitised to [a-z0-9_] (column names: {@code <column>_distance}, ...)
     * @param name   the declared {@code name}
     */
    public record Encoder(String column, String name, ImageEmbedder embedder) {
    }

    private record Key(MetricModels models, SessionSettings settings) {
    }

    private static final Map<Key, MetricSuite> CACHE = new ConcurrentHashMap<>();

    private final Lpips lpips;
    private final List<Encoder> encoders;
    private final int clipEncoder;
    private final TextEmbedder clipText;
    private final ClipTokenizer clipTokenizer;
    private final boolean msSsim;
    private final String device;

    private MetricSuite(Lpips lpips, List<Encoder> encoders, int clipEncoder, TextEmbedder clipText,
                        ClipTokenizer clipTokenizer, boolean msSsim, String device) {
        this.lpips = lpips;
        this.encoders = List.copyOf(encoders);
        this.clipEncoder = clipEncoder;
        this.clipText = clipText;
        this.clipTokenizer = clipTokenizer;
        this.msSsim = msSsim;
        this.device = device;
    }

    /**
     * The suite for {@code models} on {@code settings}, loaded on first use in this JVM.
     *
     * @throws IllegalArgumentException when a declaration is missing or invalid, a model does not fit
     *     its declaration, or two models would share a column name
     */
    public static MetricSuite get(MetricModels models, SessionSettings settings) {
        return CACHE.computeIfAbsent(new Key(models, settings), key -> load(key.models(), key.settings()));
    }

    /**
     * Settings for the current Spark task, or the driver: the task's GPU when Spark assigned one; else, on a machine
     * that shows a GPU ({@code nvidia-smi} lists one: local mode on a workstation, an executor without GPU scheduling),
     * {@code auto}, which is CUDA 0 when it works. A GPU that does not work (the probe, or a session that cannot be
     * created on it) falls back to the CPU and the device note says why, in every row's {@code device}. Without a
     * GPU, the CPU with the task's cores: one on the driver, which is also what a local-mode task gets, so that the
     * driver's validation and local tasks share the sessions.
     */
    public static SessionSettings taskSettings() {
        TaskContext task = TaskContext.get();
        return settingsFor(TaskDevice.current(Device.CPU), !GpuInfo.all().isEmpty(), task != null ? task.cpus() : 1);
    }

    /**
     * {@link #taskSettings}'s rule: {@code taskDevice} is the task's GPU ({@code cuda:N}) or {@code cpu} when Spark
     * assigned none, {@code gpuVisible} whether the machine shows a GPU, {@code cpus} the task's cores.
     */
    static SessionSettings settingsFor(Device taskDevice, boolean gpuVisible, int cpus) {
        Device requested = taskDevice.kind() != Device.Kind.CPU ? taskDevice : gpuVisible ? Device.AUTO : Device.CPU;
        if (requested.kind() == Device.Kind.CPU) {
            return SessionSettings.cpu(cpus);
        }
        ResolvedDevice resolved = OrtRuntime.resolve(requested, true);
        return new SessionSettings(resolved, resolved.actual().kind() == Device.Kind.CPU ? cpus : 0);
    }

    /** The LPIPS model's distances, or null when no LPIPS model is configured. */
    public Lpips lpips() {
        return lpips;
    }

    /** The image encoders: the configured ones, then the CLIP image tower unless it is one of them. */
    public List<Encoder> encoders() {
        return encoders;
    }

    /** Whether a CLIP pair is configured (CLIP scores). */
    public boolean hasClip() {
        return clipText != null;
    }

    /** Index in {@link #encoders()} of the CLIP image tower; -1 without CLIP. */
    public int clipEncoder() {
        return clipEncoder;
    }

    public boolean msSsim() {
        return msSsim;
    }

    /** The device the sessions run on, as the {@code device} column says it. */
    public String device() {
        return device;
    }

    /** The L2-normalised CLIP text embedding of a prompt, tokenized with the CLIP pair's tokenizer (truncated to 77). */
    public float[] promptEmbedding(String prompt) throws OrtException {
        if (clipText == null) {
            throw new IllegalStateException("no CLIP model is configured");
        }
        return clipText.embed(clipTokenizer.encode(prompt).ids());
    }

    /** The column-name form of a declared model name: lower case, anything but [a-z0-9_] becomes '_'. */
    public static String column(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static MetricSuite load(MetricModels models, SessionSettings settings) {
        try {
            Lpips lpips = null;
            if (models.lpips() != null) {
                Path dir = Path.of(models.lpips());
                MetricModelSpec spec = MetricModelSpec.read(dir);
                if (!(spec instanceof LpipsSpec l)) {
                    throw new IllegalArgumentException("measure.lpips: " + dir + " holds a '" + spec.type()
                            + "' metric model, not an LPIPS one");
                }
                lpips = new Lpips(LpipsModel.of(l, session(l.model(), settings)));
            }
            List<Encoder> encoders = new ArrayList<>();
            List<Path> encoderDirs = new ArrayList<>();
            for (String location : models.encoders()) {
                Path dir = Path.of(location);
                MetricModelSpec spec = MetricModelSpec.read(dir);
                Path model;
                if (spec instanceof ImageEmbeddingSpec e) {
                    model = e.image().model();
                } else if (spec instanceof ClipSpec c) {
                    model = c.image().model();
                } else {
                    throw new IllegalArgumentException("measure.encoders: " + dir + " holds a '" + spec.type()
                            + "' metric model, not an image embedding or CLIP one");
                }
                add(encoders, encoderDirs, dir, ImageEmbedder.load(dir, session(model, settings)));
            }
            int clipEncoder = -1;
            TextEmbedder clipText = null;
            ClipTokenizer tokenizer = null;
            if (models.clip() != null) {
                Path dir = Path.of(models.clip());
                MetricModelSpec spec = MetricModelSpec.read(dir);
                if (!(spec instanceof ClipSpec clip)) {
                    throw new IllegalArgumentException("measure.clip: " + dir + " holds a '" + spec.type()
                            + "' metric model, not a CLIP pair");
                }
                clipEncoder = encoderDirs.indexOf(dir);
                if (clipEncoder < 0) {
                    clipEncoder = encoders.size();
                    add(encoders, encoderDirs, dir, ImageEmbedder.load(dir, session(clip.image().model(), settings)));
                }
                clipText = TextEmbedder.of(clip.text(), session(clip.text().model(), settings));
                tokenizer = ClipTokenizer.load(clip.text().tokenizer());
                if (tokenizer.maxLength() != TextEmbedder.CONTEXT) {
                    throw new IllegalArgumentException("measure.clip: the tokenizer " + clip.text().tokenizer()
                            + " makes rows of " + tokenizer.maxLength() + " ids, the CLIP text model takes "
                            + TextEmbedder.CONTEXT);
                }
            }
            return new MetricSuite(lpips, encoders, clipEncoder, clipText, tokenizer, models.msSsim(),
                    settings.device().note());
        } catch (OrtException e) {
            throw new IllegalStateException("cannot read a metric model's inputs and outputs: " + e.getMessage(), e);
        }
    }

    private static void add(List<Encoder> encoders, List<Path> dirs, Path dir, ImageEmbedder embedder) {
        if (dirs.contains(dir)) {
            return;
        }
        String column = column(embedder.name());
        for (int i = 0; i < encoders.size(); i++) {
            if (encoders.get(i).column().equals(column)) {
                throw new IllegalArgumentException("metric models " + dirs.get(i) + " and " + dir + " are both named '"
                        + column + "' in output columns (declared names '" + encoders.get(i).name() + "' and '"
                        + embedder.name() + "'): give one another \"name\" in its " + MetricModelSpec.FILE);
            }
        }
        encoders.add(new Encoder(column, embedder.name(), embedder));
        dirs.add(dir);
    }

    private static OrtSession session(Path model, SessionSettings settings) {
        return SessionCache.get(model, settings).session();
    }
}
