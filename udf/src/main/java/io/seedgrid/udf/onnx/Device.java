package io.seedgrid.udf.onnx;

import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda:N}, {@code tensorrt:N} (ONNX Runtime's TensorRT
 * execution provider on GPU N, the CUDA provider taking the nodes TensorRT does not), or {@code auto} (CUDA
 * device 0 when it works, else the CPU). The text forms are those of torch and diffusers ({@code "cuda"}
 * means {@code "cuda:0"}, {@code "tensorrt"} {@code "tensorrt:0"}); {@link #toString()} writes the form that
 * {@link #parse} reads back.
 *
 * <p>A device is only a request: {@link OrtRuntime#resolve} turns it into the device actually used.
 * Serializable, so that Spark functions can carry it to executors.
 */
public record Device(Kind kind, int index) implements Serializable {

    /** The kinds of device a user may ask for. */
    public enum Kind {
        /** ONNX Runtime's default CPU execution provider. */
        CPU,
        /** The CUDA execution provider on the GPU with {@link Device#index()}. */
        CUDA,
        /** CUDA device {@link Device#index()} when CUDA can load, else the CPU. */
        AUTO,
        /** The TensorRT execution provider (then CUDA) on the GPU with {@link Device#index()}: opt-in. */
        TENSORRT
    }

    public static final Device CPU = new Device(Kind.CPU, 0);
    public static final Device AUTO = new Device(Kind.AUTO, 0);

    /** The accepted text forms, for error messages. */
    public static final String ACCEPTED_FORMS = "cpu, cuda, cuda:N (N = 0, 1, ...), auto, tensorrt, tensorrt:N";

    private static final Pattern GPU_INDEX = Pattern.compile("(cuda|tensorrt):(\\d{1,4})");

    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("device kind must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (kind != Kind.CUDA && kind != Kind.TENSORRT && index != 0) {
            throw new IllegalArgumentException("only cuda and tensorrt devices have an index, got " + kind + " " + index);
        }
    }

    /** CUDA device {@code index}, as ONNX Runtime's {@code device_id} numbers them. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** TensorRT (then CUDA for what TensorRT does not take) on GPU {@code index}. */
    public static Device tensorrt(int index) {
        return new Device(Kind.TENSORRT, index);
    }

    /**
     * Reads {@code cpu}, {@code cuda}, {@code cuda:N}, {@code tensorrt}, {@code tensorrt:N} or {@code auto}
     * (case and surrounding spaces ignored).
     *
     * @throws IllegalArgumentException naming the accepted forms when the text is none of them
     */
    public static Device parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("device must be one of " + ACCEPTED_FORMS + ", got null");
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "cpu":
                return CPU;
            case "auto":
                return AUTO;
            case "cuda":
                return cuda(0);
            case "tensorrt":
                return tensorrt(0);
            default:
                Matcher m = GPU_INDEX.matcher(t);
                if (m.matches()) {
                    int index = Integer.parseInt(m.group(2));
                    return m.group(1).equals("cuda") ? cuda(index) : tensorrt(index);
                }
                throw new IllegalArgumentException(
                        "device must be one of " + ACCEPTED_FORMS + ", got '" + text + "'");
        }
    }

    /** True for {@code cuda:N}, {@code tensorrt:N} and {@code auto}: the devices for which CUDA is tried. */
    public boolean wantsCuda() {
        return kind != Kind.CPU;
    }

    /** True for the devices a model actually runs on a GPU with: {@code cuda:N} and {@code tensorrt:N}. */
    public boolean isGpu() {
        return kind == Kind.CUDA || kind == Kind.TENSORRT;
    }

    /**
     * The physical device, shared by every provider on it: {@code "cpu"} or {@code "gpu:N"} (cuda:1 and
     * tensorrt:1 are the same GPU). Per-device limits (concurrent calls, session memory) are keyed by it.
     */
    public String physical() {
        return isGpu() ? "gpu:" + index : "cpu";
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
            case TENSORRT -> "tensorrt:" + index;
            case AUTO -> "auto";
        };
    }
}
