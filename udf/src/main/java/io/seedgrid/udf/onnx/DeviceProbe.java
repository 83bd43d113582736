package io.seedgrid.udf.onnx;

import java.io.Serializable;

/**
 * What one CUDA probe found out: whether ONNX Runtime's CUDA execution provider could be added for
 * {@code device}, and if not, why ({@code reason} is empty when it could).
 */
public record DeviceProbe(Device device, boolean available, String reason) implements Serializable {

    public DeviceProbe {
        if (device == null || device.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("a probe is made for a cuda:N device, got " + device);
        }
        reason = reason == null ? "" : reason;
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable device needs a reason");
        }
    }

    public static DeviceProbe available(Device device) {
        return new DeviceProbe(device, true, "");
    }

    public static DeviceProbe unavailable(Device device, String reason) {
        return new DeviceProbe(device, false, reason);
    }
}
