package io.seedgrid.udf.onnx;

/**
 * The device a user asked for cannot run models here and falling back to the CPU was not allowed.
 * The message says which device and why (for CUDA: ONNX Runtime's error and the shared libraries that
 * could not be found).
 */
public class DeviceUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final Device device;

    public DeviceUnavailableException(Device device, String reason) {
        super(device + " is not available: " + reason);
        this.device = device;
    }

    public Device device() {
        return device;
    }
}
