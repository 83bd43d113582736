package io.seedgrid.udf.spark;

import io.seedgrid.udf.onnx.Device;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a Spark task should run its models on: the first address of the task's {@code "gpu"}
 * resource as {@code cuda:N}, or {@code fallback} when the task has no GPU assigned (local mode, a CPU
 * executor) or runs outside a task (on the driver).
 *
 * <p>Spark assigns GPUs to tasks when {@code spark.executor.resource.gpu.amount} and {@code
 * spark.task.resource.gpu.amount} are set; the addresses are those the discovery script printed
 * ({@code conf/gpu-discovery.sh}: {@code nvidia-smi} indices, which are CUDA's device numbers). A task
 * given several GPUs runs on the first.
 *
 * <p>The task's GPU wins over {@code fallback}: a job whose user asked for {@code cpu} should not ask
 * here at all. A {@code tensorrt} request keeps its provider on the task's GPU ({@code tensorrt:N}). The result is a request; {@code OrtRuntime.resolve} decides whether CUDA can run it.
 */
public final class TaskDevice {

    /** Spark's name of the GPU resource ({@code spark.executor.resource.gpu.*}). */
    public static final String GPU_RESOURCE = "gpu";

    private TaskDevice() {
    }

    /** The current task's GPU as {@code cuda:N}, else {@code fallback}. */
    public static Device current(Device fallback) {
        TaskContext task = TaskContext.get();
        return task == null ? fallback : fromResources(task.resourcesJMap(), fallback);
    }

    /** The device for a task holding {@code resources}; see {@link #current}. */
    public static Device fromResources(Map<String, ResourceInformation> resources, Device fallback) {
        if (fallback == null) {
            throw new IllegalArgumentException("the fallback device must not be null");
        }
        ResourceInformation gpu = resources == null ? null : resources.get(GPU_RESOURCE);
        if (gpu == null || gpu.addresses().length == 0) {
            return fallback;
        }
        String address = gpu.addresses()[0].strip();
        try {
            int index = Integer.parseInt(address);
            return fallback.kind() == Device.Kind.TENSORRT ? Device.tensorrt(index) : Device.cuda(index);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Spark assigned gpu address '" + address
                    + "', but a CUDA device number (0, 1, ...) is needed: the gpu discovery script must print"
                    + " device indices, as conf/gpu-discovery.sh does", e);
        }
    }
}
