package io.seedgrid.udf.onnx;

import java.io.Serializable;

/**
 * What one probe of a GPU device found out: whether ONNX Runtime could create a session on {@code device}
 * (with its execution provider) and run it; if not, why ({@code reason} is empty when it could). {@code gpu}
 * is the GPU's name and driver version when they are known ({@code "NVIDIA L4, driver 550.54.15"}), else
 * empty.
 */
public record DeviceProbe(Device device, boolean available, String reason, String gpu) implements Serializable {

    public DeviceProbe {
        if (device == null || !device.isGpu()) {
            throw new IllegalArgumentException("a probe is made for a cuda:N or tensorrt:N device, got " + device);
        }
        reason = reason == null ? "" : reason;
        gpu = gpu == null ? "" : gpu;
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable device needs a reason");
        }
    }

    public DeviceProbe(Device device, boolean available, String reason) {
        this(device, available, reason, "");
    }

    public static DeviceProbe available(Device device) {
        return new DeviceProbe(device, true, "", "");
    }

    public static DeviceProbe available(Device device, String gpu) {
        return new DeviceProbe(device, true, "", gpu);
    }

    public static DeviceProbe unavailable(Device device, String reason) {
        return new DeviceProbe(device, false, reason, "");
    }
}
