package io.seedgrid.udf.onnx;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every ONNX Runtime call of the JVM goes through here, so that the JVM can stop them: each call runs
 * with its own {@link OrtSession.RunOptions}, registered while the call is inside the session.
 *
 * <p>Calls into a session {@link #register registered} on a GPU first pass that GPU's {@link DeviceGate}:
 * at most {@link #limit} calls run on one GPU at a time, whichever task thread and model they come from
 * (default 1: two SDXL UNet calls on one GPU only share its memory and time, and each needs its own
 * activations). The limit is {@value #LIMIT_ENV} in the environment (on Spark executors:
 * {@code spark.executorEnv.}{@value #LIMIT_ENV}) or {@link #setLimit}. CPU sessions are not limited: their
 * threads are Spark's task slots. {@link #inside(OrtSession)} counts the calls inside each session, so that
 * the session cache never closes one that a call is in.
 *
 * <p>{@link #stopAll()} (a SIGTERM, a JVM shutdown) refuses new calls and sets
 * {@link OrtSession.RunOptions#setTerminate(boolean) terminate} on the running ones, which then return
 * with an {@link OrtException} at ONNX Runtime's next check. A session may be closed only when no call
 * is inside it (closing one under a running call crashes the JVM in native code): {@link #awaitIdle}
 * waits for that.
 */
public final class OrtCalls {

    /** The environment variable holding the calls allowed at once per GPU. */
    public static final String LIMIT_ENV = "SEEDGRID_GPU_CONCURRENT_CALLS";

    private static final Set<OrtSession.RunOptions> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger INSIDE = new AtomicInteger();
    private static final Map<String, DeviceGate> GATES = new ConcurrentHashMap<>();
    private static final Map<OrtSession, DeviceGate> SESSION_GATES = new ConcurrentHashMap<>();
    private static final Map<OrtSession, AtomicInteger> INSIDE_SESSION = new ConcurrentHashMap<>();
    private static volatile boolean stopping;

    private OrtCalls() {
    }

    /** A call refused or cancelled because the JVM is stopping. */
    public static final class StoppedException extends IllegalStateException {
        StoppedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs {@code session} for the requested outputs; the caller closes the result. */
    public static OrtSession.Result run(OrtSession session, Map<String, ? extends OnnxTensorLike> feeds,
                                        Set<String> requested) throws OrtException {
        return call(session, options -> session.run(feeds, requested, options));
    }

    /** Runs {@code session} writing its outputs into the pre-allocated tensors {@code pinned}. */
    public static void runInto(OrtSession session, Map<String, ? extends OnnxTensorLike> feeds,
                               Map<String, ? extends OnnxValue> pinned) throws OrtException {
        call(session, options -> {
            try (OrtSession.Result ignored = session.run(feeds, Set.of(), pinned, options)) {
                return null;   // outputs were written into the pinned tensors
            }
        });
    }

    /** One call of a session with its own run options. */
    @FunctionalInterface
    private interface Call<T> {
        T run(OrtSession.RunOptions options) throws OrtException;
    }

    /** Through the device's gate, counted in and registered while inside the session. */
    private static <T> T call(OrtSession session, Call<T> call) throws OrtException {
        DeviceGate gate = pass(session);
        try {
            OrtSession.RunOptions options = enter(session);
            try {
                return call.run(options);
            } catch (OrtException e) {
                throw stoppedOr(e);
            } finally {
                leave(session, options);
            }
        } finally {
            release(gate);
        }
    }

    /**
     * Puts {@code session}'s calls under {@code device}'s gate: on a GPU, at most {@link #limit} calls of the
     * JVM run there at once. A CPU session is only counted.
     */
    public static void register(OrtSession session, Device device) {
        if (device.isGpu()) {
            SESSION_GATES.put(session, gate(device.physical()));
        }
    }

    /** Forgets a session that is being closed. */
    public static void forget(OrtSession session) {
        SESSION_GATES.remove(session);
        INSIDE_SESSION.remove(session);
    }

    /**
     * Sets how many calls may run at once on {@code physicalDevice} ({@link Device#physical()}: {@code gpu:N},
     * or {@code cpu} to limit CPU sessions registered from then on).
     */
    public static void setLimit(String physicalDevice, int limit) {
        gate(physicalDevice).setLimit(limit);
    }

    /** The calls allowed at once on {@code physicalDevice}. */
    public static int limit(String physicalDevice) {
        DeviceGate gate = GATES.get(physicalDevice);
        return gate != null ? gate.limit() : physicalDevice.startsWith("gpu:") ? defaultLimit() : Integer.MAX_VALUE;
    }

    /** The most calls that were ever inside sessions of {@code physicalDevice} at once (0 when none ran there). */
    public static int peak(String physicalDevice) {
        DeviceGate gate = GATES.get(physicalDevice);
        return gate == null ? 0 : gate.peak();
    }

    /** Calls inside {@code session} now. */
    public static int inside(OrtSession session) {
        AtomicInteger n = INSIDE_SESSION.get(session);
        return n == null ? 0 : n.get();
    }

    /** The per-GPU limit from {@value #LIMIT_ENV}, else 1. */
    static int defaultLimit() {
        String value = System.getenv(LIMIT_ENV);
        if (value == null || value.isBlank()) {
            return 1;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(LIMIT_ENV + " must be a whole number >= 1, got '" + value + "'");
    }

    private static DeviceGate gate(String physicalDevice) {
        return GATES.computeIfAbsent(physicalDevice,
                d -> new DeviceGate(d, d.startsWith("gpu:") ? defaultLimit() : Integer.MAX_VALUE));
    }

    private static DeviceGate pass(OrtSession session) {
        DeviceGate gate = SESSION_GATES.get(session);
        if (gate == null) {
            gate = GATES.get("cpu");
            if (gate == null) {
                return null;
            }
        }
        gate.acquire(() -> stopping);
        return gate;
    }

    private static void release(DeviceGate gate) {
        if (gate != null) {
            gate.release();
        }
    }

    /**
     * Refuses every new call and asks the running ones to stop. Irreversible: a JVM that stops its
     * ONNX Runtime calls is about to exit.
     */
    public static void stopAll() {
        stopping = true;
        for (OrtSession.RunOptions options : RUNNING) {
            terminate(options);
        }
        GATES.values().forEach(DeviceGate::wakeAll);
    }

    /** True once {@link #stopAll()} was called. */
    public static boolean stopping() {
        return stopping;
    }

    /** Waits until no call is inside any session; false when calls are still running at the deadline. */
    public static boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (INSIDE.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return INSIDE.get() == 0;
            }
        }
        return true;
    }

    /** Number of calls inside a session now. */
    public static int inside() {
        return INSIDE.get();
    }

    /** Counts the call in and registers its options; refuses when stopping. */
    private static OrtSession.RunOptions enter(OrtSession session) throws OrtException {
        INSIDE.incrementAndGet();
        AtomicInteger inSession = INSIDE_SESSION.computeIfAbsent(session, s -> new AtomicInteger());
        inSession.incrementAndGet();
        if (stopping) {
            inSession.decrementAndGet();
            INSIDE.decrementAndGet();
            throw new StoppedException("ONNX Runtime is stopping (the process is shutting down)", null);
        }
        OrtSession.RunOptions options;
        try {
            options = new OrtSession.RunOptions();
        } catch (OrtException | RuntimeException e) {
            inSession.decrementAndGet();
            INSIDE.decrementAndGet();
            throw e;
        }
        RUNNING.add(options);
        if (stopping) {
            // stopAll() may have run between the check above and the registration
            terminate(options);
        }
        return options;
    }

    /** Unregisters and closes the call's options (never while stopAll() is setting their flag), counts it out. */
    private static void leave(OrtSession session, OrtSession.RunOptions options) {
        synchronized (options) {
            RUNNING.remove(options);
            options.close();
        }
        AtomicInteger inSession = INSIDE_SESSION.get(session);
        if (inSession != null) {
            inSession.decrementAndGet();
        }
        INSIDE.decrementAndGet();
    }

    private static OrtException stoppedOr(OrtException e) {
        if (stopping) {
            throw new StoppedException("ONNX Runtime call cancelled: the process is shutting down", e);
        }
        return e;
    }

    private static void terminate(OrtSession.RunOptions options) {
        synchronized (options) {
            if (!RUNNING.contains(options)) {
                return;   // the call has returned and its options are closed
            }
            try {
                options.setTerminate(true);
            } catch (OrtException e) {
                // nothing more to do: the call ends by itself
            }
        }
    }
}
