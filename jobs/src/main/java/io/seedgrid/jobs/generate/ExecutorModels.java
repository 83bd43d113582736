package io.seedgrid.jobs.generate;

import io.seedgrid.udf.blend.BlendCache;
import io.seedgrid.udf.onnx.Device;
import io.seedgrid.udf.onnx.OrtRuntime;
import io.seedgrid.udf.onnx.ResolvedDevice;
import io.seedgrid.udf.onnx.SessionSettings;
import io.seedgrid.udf.pipeline.ModelDirectory;
import io.seedgrid.udf.pipeline.SdxlModel;
import io.seedgrid.udf.recipe.ModelRef;
import io.seedgrid.udf.recipe.ModelResolver;
import io.seedgrid.udf.spark.TaskDevice;
import org.apache.spark.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves a recipe's models inside a Spark task: the device is the task's GPU when Spark assigned one,
 * else what the model config asks for ({@code auto} falls back to the CPU and says so); sessions come
 * from the executor JVM's cache; blends from the executor's blend cache.
 */
final class ExecutorModels implements ModelResolver {

    private final Map<String, ModelIdentity> models;
    private final BlendCache blendCache;
    private final int threadsOutsideTasks;
    private String deviceNote;

    /**
     * @param threadsOutsideTasks ONNX Runtime intra-op threads on the CPU when not in a Spark task (in a
     *                            task: {@code spark.task.cpus}); 0 = all cores
     */
    ExecutorModels(Map<String, ModelIdentity> models, String blendCache, int threadsOutsideTasks) {
        this.models = models;
        // no folder configured: this node's default (its local disk), decided here on the executor
        this.blendCache = new BlendCache(blendCache == null ? BlendCache.defaultRoot() : Path.of(blendCache));
        this.threadsOutsideTasks = threadsOutsideTasks;
    }

    @Override
    public SdxlModel resolve(ModelRef ref) {
        if (ref instanceof ModelRef.Blend blend) {
            ModelIdentity a = identity(blend.a());
            ModelIdentity b = identity(blend.b());
            ModelDirectory dirA = a.directory();
            Path blended;
            try {
                blended = blendCache.get(dirA.unet(), b.directory().unet(), blend.alpha()).model();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot blend " + blend, e);
            }
            return noted(SdxlModel.withUnet(dirA, blended, settings(a)));
        }
        ModelIdentity model = identity(ref.base());
        return noted(SdxlModel.load(model.directory(), settings(model)));
    }

    /** The model's own device note: it names a fallback to the CPU even when it happened at session creation. */
    private SdxlModel noted(SdxlModel model) {
        deviceNote = model.deviceNote();
        return model;
    }

    /** The device note of the last model resolved (for the {@code device} column). */
    String deviceNote() {
        return deviceNote;
    }

    private ModelIdentity identity(String name) {
        ModelIdentity model = models.get(name);
        if (model == null) {
            throw new IllegalArgumentException("the recipe uses model '" + name + "', which the config does not define");
        }
        return model;
    }

    private SessionSettings settings(ModelIdentity model) {
        Device requested = Device.parse(model.device());
        if (requested.kind() != Device.Kind.CPU) {
            requested = TaskDevice.current(requested);
        }
        ResolvedDevice device = OrtRuntime.resolve(requested, requested.kind() == Device.Kind.AUTO);
        TaskContext task = TaskContext.get();
        int threads = device.actual().kind() != Device.Kind.CPU ? 0 : task != null ? task.cpus() : threadsOutsideTasks;
        return new SessionSettings(device, threads, model.gpu(), null);
    }
}
