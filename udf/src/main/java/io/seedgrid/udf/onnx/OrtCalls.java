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
 * <p>{@link #stopAll()} (a SIGTERM, a JVM shutdown) refuses new calls and sets
 * {@link OrtSession.RunOptions#setTerminate(boolean) terminate} on the running ones, which then return
 * with an {@link OrtException} at ONNX Runtime's next check. A session may be closed only when no call
 * is inside it (closing one under a running call crashes the JVM in native code): {@link #awaitIdle}
 * waits for that.
 */
public final class OrtCalls {

    private static final Set<OrtSession.RunOptions> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger INSIDE = new AtomicInteger();
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
        OrtSession.RunOptions options = enter();
        try {
            return session.run(feeds, requested, options);
        } catch (OrtException e) {
            throw stoppedOr(e);
        } finally {
            leave(options);
        }
    }

    /** Runs {@code session} writing its outputs into the pre-allocated tensors {@code pinned}. */
    public static void runInto(OrtSession session, Map<String, ? extends OnnxTensorLike> feeds,
                               Map<String, ? extends OnnxValue> pinned) throws OrtException {
        OrtSession.RunOptions options = enter();
        try (OrtSession.Result ignored = session.run(feeds, Set.of(), pinned, options)) {
            // outputs were written into the pinned tensors
        } catch (OrtException e) {
            throw stoppedOr(e);
        } finally {
            leave(options);
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
    private static OrtSession.RunOptions enter() throws OrtException {
        INSIDE.incrementAndGet();
        if (stopping) {
            INSIDE.decrementAndGet();
            throw new StoppedException("ONNX Runtime is stopping (the process is shutting down)", null);
        }
        OrtSession.RunOptions options;
        try {
            options = new OrtSession.RunOptions();
        } catch (OrtException | RuntimeException e) {
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
    private static void leave(OrtSession.RunOptions options) {
        synchronized (options) {
            RUNNING.remove(options);
            options.close();
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
