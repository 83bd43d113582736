package io.seedgrid.udf.onnx;

import java.io.Serializable;

/**
 * The device a model runs on after {@link OrtRuntime#resolve}: what was asked for, what is used, and a
 * one-line note for the log and for the {@code device} column of every output row.
 *
 * <p>The note is the actual device alone when nothing needed explaining ({@code "cpu"},
 * {@code "cuda:1"}); it says so when {@code auto} chose CUDA ({@code "cuda:0 (auto)"}); and it names
 * the reason when a CUDA request fell back to the CPU
 * ({@code "cpu (fallback from auto: cuda:0 is not available: ...)"}).
 */
public record ResolvedDevice(Device requested, Device actual, String note) implements Serializable {

    public ResolvedDevice {
        if (requested == null || actual == null) {
            throw new IllegalArgumentException("requested and actual device must not be null");
        }
        if (actual.kind() == Device.Kind.AUTO) {
            throw new IllegalArgumentException("the actual device must be cpu or cuda:N, got auto");
        }
        if (note == null || note.isBlank()) {
            throw new IllegalArgumentException("a resolved device needs a note");
        }
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
