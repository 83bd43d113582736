package io.seedgrid.udf.onnx;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One TensorRT optimisation profile of a sub-model: the minimum, optimum and maximum shape of each of its
 * dynamic inputs, in ONNX Runtime's {@code trt_profile_*_shapes} form
 * ({@code name:d0xd1x...,name:...}).
 */
public record TensorRtProfile(String min, String opt, String max) implements Serializable {

    /** An input's shape range: equal-length dimension lists. */
    public record Range(long[] min, long[] opt, long[] max) {
        public Range {
            if (min.length != opt.length || opt.length != max.length) {
                throw new IllegalArgumentException("a profile range needs three shapes of one rank");
            }
            for (int i = 0; i < min.length; i++) {
                if (min[i] < 1 || min[i] > opt[i] || opt[i] > max[i]) {
                    throw new IllegalArgumentException("a profile needs 1 <= min <= opt <= max in every dimension");
                }
            }
        }

        /** The same shape for min, opt and max. */
        public static Range fixed(long... shape) {
            return new Range(shape, shape, shape);
        }
    }

    public TensorRtProfile {
        if (min == null || opt == null || max == null || min.isBlank()) {
            throw new IllegalArgumentException("a TensorRT profile needs min, opt and max shapes");
        }
    }

    /** The profile for inputs by name (in the given order). */
    public static TensorRtProfile of(Map<String, Range> inputs) {
        List<String> min = new ArrayList<>();
        List<String> opt = new ArrayList<>();
        List<String> max = new ArrayList<>();
        inputs.forEach((name, range) -> {
            if (name.contains(":") || name.contains(",")) {
                throw new IllegalArgumentException("input '" + name + "' cannot be named in a TensorRT profile");
            }
            min.add(name + ":" + dims(range.min()));
            opt.add(name + ":" + dims(range.opt()));
            max.add(name + ":" + dims(range.max()));
        });
        return new TensorRtProfile(String.join(",", min), String.join(",", opt), String.join(",", max));
    }

    private static String dims(long[] shape) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return s.toString();
    }
}
