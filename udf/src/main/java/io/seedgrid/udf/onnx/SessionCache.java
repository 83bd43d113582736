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
 */
public final class SessionCache {

    private record Key(Path file, SessionSettings settings) {
    }

    private static final Map<Key, OnnxModel> SESSIONS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SessionCache::closeAll, "seedgrid-session-close"));
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

    /** Closes and forgets every session. Sessions in use by running tasks must not be closed. */
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
