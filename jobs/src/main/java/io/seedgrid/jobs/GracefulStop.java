package io.seedgrid.jobs;

import io.seedgrid.udf.onnx.OrtCalls;

/**
 * A stop asked for by the operating system: SIGTERM (what YARN, Kubernetes, Airflow time-outs and spot
 * reclaims send) or SIGINT (Ctrl-C). The command line installs the handlers ({@code jobs/cli/Main}); the
 * stages poll {@link #requested()} and end cleanly: no new work starts, running ONNX Runtime calls are
 * cancelled, published files stay, the manifest says {@code interrupted}, and the process exits with
 * {@code 128 + signal} (143 for SIGTERM, 130 for SIGINT).
 */
public final class GracefulStop {

    /** The signal that asked for the stop. */
    public enum Signal {
        TERM(143), INT(130);

        private final int exitCode;

        Signal(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private static volatile Signal requested;

    private GracefulStop() {
    }

    /** Records the stop and cancels this JVM's running ONNX Runtime calls (local-mode tasks run here). */
    public static void request(Signal signal) {
        if (requested == null) {
            requested = signal;
        }
        OrtCalls.stopAll();
    }

    /** True once a stop was asked for. */
    public static boolean requested() {
        return requested != null;
    }

    /** The signal that asked for the stop, or null. */
    public static Signal signal() {
        return requested;
    }

    /** Thrown by a stage that stopped because a stop was asked for; the command line exits with its code. */
    public static final class Interrupted extends RuntimeException {
        private final int exitCode;

        public Interrupted(String message) {
            super(message);
            Signal signal = requested;
            this.exitCode = signal == null ? Signal.TERM.exitCode() : signal.exitCode();
        }

        public int exitCode() {
            return exitCode;
        }
    }
}
