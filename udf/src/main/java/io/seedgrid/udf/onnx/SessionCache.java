package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM's ONNX Runtime sessions, one per (model file, settings), loaded on first use and closed when
 * the JVM shuts down. On a Spark executor every task of the JVM shares them: a UNet loads once per
 * executor, never per task. Only paths travel to executors, never model bytes.
 *
 * <p>At shutdown (SIGTERM from YARN, Kubernetes or a spot reclaim; SIGINT) running calls are cancelled
 * first ({@link OrtCalls#stopAll()}) and sessions are closed only once no call is inside them: closing a
 * session under a running call crashes the JVM in native code. Calls that do not return within
 * {@value #SHUTDOWN_WAIT_SECONDS} s keep their sessions open; the process exits around them.
 */
public final class SessionCache {

    private record Key(Path file, SessionSettings settings) {
    }

    static final long SHUTDOWN_WAIT_SECONDS = 10;

    private static final Map<Key, OnnxModel> SESSIONS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SessionCache::shutdown, "seedgrid-session-close"));
    }

    private SessionCache() {
    }

    /** The cached model for {@code file} under {@code settings}, loading it on first use. */
    public static OnnxModel get(Path file, SessionSettings settings) {
        Path canonical = canonical(file);
        return SESSIONS.computeIfAbsent(new Key(canonical, settings), key -> load(key.file(), key.settings()));
    }

    /** Number of sessions currently loaded (for tests and diagnostics). */
    public static int size() {
        return SESSIONS.size();
    }

    /** The JVM is exiting: cancel running calls, then close the sessions if no call is left inside them. */
    static void shutdown() {
        OrtCalls.stopAll();
        if (OrtCalls.awaitIdle(java.time.Duration.ofSeconds(SHUTDOWN_WAIT_SECONDS))) {
            closeAll();
        }
    }

    /** Closes and forgets every session. Only when no call is inside one (see {@link OrtCalls#awaitIdle}). */
    public static synchronized void closeAll() {
        for (OnnxModel model : SESSIONS.values()) {
            try {
                model.close();
            } catch (OrtException | RuntimeException e) {
                // Shutting down: nothing useful to do with a failing close.
            }
        }
        SESSIONS.clear();
    }

    private static Path canonical(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        }
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve model file " + file, e);
        }
    }

    private static OnnxModel load(Path file, SessionSettings settings) {
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions options = settings.toOptions()) {
            return new OnnxModel(file, settings, env.createSession(file.toString(), options));
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load " + file + " on " + settings.device().actual() + ": " + e.getMessage(), e);
        }
    }
}
