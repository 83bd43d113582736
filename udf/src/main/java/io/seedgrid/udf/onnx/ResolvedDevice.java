package io.seedgrid.udf.onnx;

import java.io.Serializable;

/**
 * The device a model runs on after {@link OrtRuntime#resolve}: what was asked for, what is used, a one-line
 * note for the log and for the {@code device} column of every output row, and whether the CPU may still
 * be taken should a model's session fail to load on the GPU.
 *
 * <p>The note is the actual device alone when nothing needed explaining ({@code "cpu"}); a GPU carries its
 * name and driver when they are known ({@code "cuda:1 (NVIDIA L4, driver 550.54.15)"}); {@code auto} says
 * so ({@code "cuda:0 (auto; NVIDIA L4, driver 550.54.15)"}); a CUDA request that fell back to the CPU names
 * the reason ({@code "cpu (fallback from auto, cuda:0: ...)"}).
 *
 * @param fallbackAllowed whether a model whose session cannot be created on the GPU may run on the CPU
 *                        instead (always for {@code auto})
 */
public record ResolvedDevice(Device requested, Device actual, String note, boolean fallbackAllowed)
        implements Serializable {

    public ResolvedDevice {
        if (requested == null || actual == null) {
            throw new IllegalArgumentException("requested and actual device must not be null");
        }
        if (actual.kind() == Device.Kind.AUTO) {
            throw new IllegalArgumentException("the actual device must be cpu, cuda:N or tensorrt:N, got auto");
        }
        if (note == null || note.isBlank()) {
            throw new IllegalArgumentException("a resolved device needs a note");
        }
        fallbackAllowed = fallbackAllowed || requested.kind() == Device.Kind.AUTO;
    }

    /** A resolution whose CPU fallback is allowed only for {@code auto}. */
    public ResolvedDevice(Device requested, Device actual, String note) {
        this(requested, actual, note, false);
    }

    /** True when CUDA was asked for (explicitly or by {@code auto}) and the CPU is used instead. */
    public boolean fellBack() {
        return requested.wantsCuda() && actual.kind() == Device.Kind.CPU;
    }

    @Override
    public String toString() {
        return note;
    }
}
