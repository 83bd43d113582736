package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How a session is built: the device it runs on (already resolved: {@code cpu} or {@code cuda:N}) and
 * the number of intra-op threads (0 = ONNX Runtime's default, all cores). Part of the session cache key.
 */
public record SessionSettings(String device, int intraOpThreads) {

    public SessionSettings {
        if (!device.equals("cpu") && !device.matches("cuda:\\d+")) {
            throw new IllegalArgumentException("a session runs on 'cpu' or 'cuda:N', not '" + device + "'");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOpThreads);
        }
    }

    /** CPU with ONNX Runtime's default thread count. */
    public static SessionSettings cpu() {
        return new SessionSettings("cpu", 0);
    }

    public boolean isCuda() {
        return device.startsWith("cuda:");
    }

    public int cudaIndex() {
        return isCuda() ? Integer.parseInt(device.substring(5)) : -1;
    }

    /** Fresh session options for these settings; the caller closes them. */
    public OrtSession.SessionOptions toOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            if (isCuda()) {
                options.addCUDA(cudaIndex());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
