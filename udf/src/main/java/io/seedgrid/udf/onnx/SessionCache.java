package io.seedgrid.udf.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.blend.OnnxFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM's ONNX Runtime sessions, one per (model file, settings), loaded on first use. On a Spark executor
 * every task of the JVM shares them: a UNet loads once per executor, never per task. Only paths travel to
 * executors, never model bytes.
 *
 * <p><b>Memory budget.</b> Each device ({@link Device#physical()}: the CPU, each GPU) has a budget for the
 * weights of the sessions loaded on it, counted as the bytes of each model's files. Loading a session that
 * would go over it first closes the least recently used sessions of that device that nobody holds: a
 * {@link #lease} holds a session until it is closed (the pipeline leases a batch's models for the batch),
 * {@link #get} holds it for the JVM's life. When everything is held the session loads anyway and the
 * overshoot is logged. Budgets: {@link #setBudget}, or {@value #GPU_BUDGET_ENV} / {@value #CPU_BUDGET_ENV} in
 * the environment (a size: {@code 20g}); by default half of a GPU's memory as nvidia-smi reports it (the
 * rest is for activations and cuDNN's workspaces), and no limit on the CPU or where the GPU's memory is
 * unknown.
 *
 * <p><b>GPU fallback.</b> A session whose creation fails on a GPU whose resolution allowed the CPU
 * ({@code auto}) is created on the CPU instead, the GPU is marked unusable for the rest of the JVM
 * ({@link OrtRuntime#markUnusable}), and the model's {@link OnnxModel#settings() settings} name the reason.
 *
 * <p><b>Closing.</b> A session is closed only when no call is inside it ({@link OrtCalls#inside(OrtSession)}):
 * closing one under a running call crashes the JVM in native code. At shutdown (SIGTERM from YARN,
 * Kubernetes or a spot reclaim; SIGINT) running calls are cancelled first ({@link OrtCalls#stopAll()}) and
 * sessions are closed once no call is inside any; calls that do not return within
 * {@value #SHUTDOWN_WAIT_SECONDS} s keep their sessions open and the process exits around them.
 */
public final class SessionCache {

    /** The environment variable with each GPU's session budget (a size, e.g. {@code 20g}). */
    public static final String GPU_BUDGET_ENV = "SEEDGRID_GPU_SESSION_BUDGET";
    /** The environment variable with the CPU's session budget (a size, e.g. {@code 64g}). */
    public static final String CPU_BUDGET_ENV = "SEEDGRID_CPU_SESSION_BUDGET";

    static final long SHUTDOWN_WAIT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);

    private record Key(Path file, SessionSettings settings) {
    }

    /** A session being loaded or loaded; guarded by {@link #LOCK}. */
    private static final class Entry {
        final Key key;
        final long bytes;
        String device;
        OnnxModel model;
        boolean loading = true;
        boolean pinned;
        int leases;
        long lastUsed;

        Entry(Key key, long bytes) {
            this.key = key;
            this.bytes = bytes;
            this.device = key.settings().device().actual().physical();
        }
    }

    /**
     * A session held for a while: not evicted until {@link #close()}. Use the model only between
     * {@link SessionCache#lease} and {@code close()}.
     */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public OnnxModel model() {
            if (closed) {
                throw new IllegalStateException("the lease of " + entry.key.file() + " is closed");
            }
            return entry.model;
        }

        @Override
        public void close() {
            synchronized (LOCK) {
                if (!closed) {
                    closed = true;
                    entry.leases--;
                    entry.lastUsed = ++clock;
                }
            }
        }
    }

    private static final Object LOCK = new Object();
    private static final Map<Key, Entry> SESSIONS = new HashMap<>();
    private static final List<OnnxModel> CLOSING = new ArrayList<>();
    private static final Map<String, Long> BUDGETS = new ConcurrentHashMap<>();
    private static final Set<String> OVER_BUDGET_LOGGED = ConcurrentHashMap.newKeySet();
    private static long clock;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SessionCache::shutdown, "seedgrid-session-close"));
    }

    private SessionCache() {
    }

    /**
     * The cached model for {@code file} under {@code settings}, loading it on first use, held for the JVM's
     * life (never evicted). For models used now and then, prefer {@link #lease}.
     */
    public static OnnxModel get(Path file, SessionSettings settings) {
        return acquire(file, settings, true).model();
    }

    /** The cached model for {@code file} under {@code settings}, held until the lease is closed. */
    public static Lease lease(Path file, SessionSettings settings) {
        return acquire(file, settings, false);
    }

    /** Number of sessions currently loaded (for tests and diagnostics). */
    public static int size() {
        synchronized (LOCK) {
            return (int) SESSIONS.values().stream().filter(e -> e.model != null).count();
        }
    }

    /** Whether a session for {@code file} under {@code settings} is loaded now. */
    public static boolean isLoaded(Path file, SessionSettings settings) {
        Key key = new Key(canonical(file), settings);
        synchronized (LOCK) {
            Entry e = SESSIONS.get(key);
            return e != null && e.model != null;
        }
    }

    /** Bytes of the sessions loaded (or loading) on {@code physicalDevice}. */
    public static long bytesOn(String physicalDevice) {
        synchronized (LOCK) {
            return used(physicalDevice);
        }
    }

    /** Sets the budget of {@code physicalDevice} ({@code cpu}, {@code gpu:N}) in bytes. */
    public static void setBudget(String physicalDevice, long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("a session budget is at least 1 byte, got " + bytes);
        }
        BUDGETS.put(physicalDevice, bytes);
    }

    /** The budget of {@code physicalDevice}: set, from the environment, or the default (see the class comment). */
    public static long budget(String physicalDevice) {
        Long set = BUDGETS.get(physicalDevice);
        if (set != null) {
            return set;
        }
        boolean gpu = physicalDevice.startsWith("gpu:");
        String env = System.getenv(gpu ? GPU_BUDGET_ENV : CPU_BUDGET_ENV);
        if (env != null && !env.isBlank()) {
            return ByteSize.parse(env, gpu ? GPU_BUDGET_ENV : CPU_BUDGET_ENV);
        }
        if (gpu) {
            return GpuInfo.forCudaIndex(Integer.parseInt(physicalDevice.substring(4)))
                    .map(g -> g.memoryBytes() / 2).orElse(Long.MAX_VALUE);
        }
        return Long.MAX_VALUE;
    }

    /**
     * Closes every session nobody holds (neither leased nor taken with {@link #get}), e.g. before a stage
     * that needs the memory for other models; they load again when next asked for.
     */
    public static void closeIdle() {
        List<OnnxModel> idle = new ArrayList<>();
        synchronized (LOCK) {
            SESSIONS.values().removeIf(e -> {
                if (e.model != null && !e.pinned && e.leases == 0) {
                    idle.add(e.model);
                    return true;
                }
                return false;
            });
        }
        idle.forEach(SessionCache::close);
    }

    /** The JVM is exiting: cancel running calls, then close the sessions if no call is left inside them. */
    static void shutdown() {
        OrtCalls.stopAll();
        if (OrtCalls.awaitIdle(Duration.ofSeconds(SHUTDOWN_WAIT_SECONDS))) {
            closeAll();
        }
    }

    /** Closes and forgets every session. Only when no call is inside one (see {@link OrtCalls#awaitIdle}). */
    public static void closeAll() {
        List<OnnxModel> models = new ArrayList<>();
        synchronized (LOCK) {
            for (Entry e : SESSIONS.values()) {
                if (e.model != null) {
                    models.add(e.model);
                }
            }
            SESSIONS.clear();
            models.addAll(CLOSING);
            CLOSING.clear();
        }
        for (OnnxModel model : models) {
            close(model);
        }
    }

    private static Lease acquire(Path file, SessionSettings settings, boolean pin) {
        Key key = new Key(canonical(file), settings);
        Entry entry;
        List<OnnxModel> victims = new ArrayList<>();
        long bytes = -1;
        while (true) {
            synchronized (LOCK) {
                entry = SESSIONS.get(key);
                if (entry != null && entry.model != null) {
                    return hold(entry, pin);
                }
                if (entry != null) {
                    waitForLoad();
                    continue;
                }
                if (bytes >= 0) {
                    entry = new Entry(key, bytes);
                    SESSIONS.put(key, entry);
                    victims.addAll(evictFor(entry));
                    victims.addAll(idleClosing());
                    break;
                }
            }
            bytes = weightBytes(key.file());
        }
        victims.forEach(SessionCache::close);
        OnnxModel model;
        try {
            model = load(key.file(), key.settings());
        } catch (RuntimeException e) {
            synchronized (LOCK) {
                SESSIONS.remove(key);
                LOCK.notifyAll();
            }
            throw e;
        }
        synchronized (LOCK) {
            entry.model = model;
            entry.loading = false;
            entry.device = model.settings().device().actual().physical();
            LOCK.notifyAll();
            return hold(entry, pin);
        }
    }

    private static Lease hold(Entry entry, boolean pin) {
        entry.lastUsed = ++clock;
        if (pin) {
            entry.pinned = true;
        } else {
            entry.leases++;
        }
        return new Lease(entry);
    }

    private static void waitForLoad() {
        try {
            LOCK.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another thread loads a model", e);
        }
    }

    /**
     * Makes room for {@code entry} on its device: takes the least recently used sessions nobody holds out of
     * the cache until the device's budget fits, and returns them for closing.
     */
    private static List<OnnxModel> evictFor(Entry entry) {
        long budget = budget(entry.device);
        long used = used(entry.device) - entry.bytes;
        List<OnnxModel> victims = new ArrayList<>();
        while (used + entry.bytes > budget) {
            Entry lru = null;
            for (Entry e : SESSIONS.values()) {
                if (e != entry && e.model != null && !e.pinned && e.leases == 0 && e.device.equals(entry.device)
                        && (lru == null || e.lastUsed < lru.lastUsed)) {
                    lru = e;
                }
            }
            if (lru == null) {
                if (OVER_BUDGET_LOGGED.add(entry.device)) {
                    LOG.warn("Sessions on {} need {} with {}; its budget is {} and every loaded session is in use",
                            entry.device, ByteSize.format(used + entry.bytes), entry.key.file(), ByteSize.format(budget));
                }
                break;
            }
            SESSIONS.remove(lru.key);
            used -= lru.bytes;
            victims.add(lru.model);
            LOG.info("Closing {} ({}) to make room on {} for {}", lru.key.file(), ByteSize.format(lru.bytes),
                    entry.device, entry.key.file());
        }
        return victims;
    }

    /** Sessions waiting to be closed whose last call has returned. */
    private static List<OnnxModel> idleClosing() {
        List<OnnxModel> idle = new ArrayList<>();
        CLOSING.removeIf(m -> {
            if (OrtCalls.inside(m.session()) == 0) {
                idle.add(m);
                return true;
            }
            return false;
        });
        return idle;
    }

    private static long used(String device) {
        long used = 0;
        for (Entry e : SESSIONS.values()) {
            if (e.device.equals(device)) {
                used += e.bytes;
            }
        }
        return used;
    }

    /** Closes a session no one holds, or queues it while a stray call is still inside. */
    private static void close(OnnxModel model) {
        if (OrtCalls.inside(model.session()) > 0) {
            synchronized (LOCK) {
                CLOSING.add(model);
            }
            return;
        }
        OrtCalls.forget(model.session());
        try {
            model.close();
        } catch (OrtException | RuntimeException e) {
            LOG.warn("Closing the session of {} failed: {}", model.file(), e.getMessage());
        }
    }

    private static long weightBytes(Path file) {
        try {
            return OnnxFiles.bytes(file);
        } catch (IOException | RuntimeException e) {
            try {
                return Files.size(file); // not readable as ONNX here: ONNX Runtime will say why
            } catch (IOException io) {
                throw new UncheckedIOException("cannot read " + file, io);
            }
        }
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
        Device device = settings.device().actual();
        try {
            OrtSession session;
            try (OrtSession.SessionOptions options = settings.toOptions()) {
                session = env.createSession(file.toString(), options);
            }
            try {
                OrtCalls.register(session, device);
                return new OnnxModel(file, settings, session);
            } catch (OrtException | RuntimeException e) {
                OrtCalls.forget(session);
                session.close();
                throw e;
            }
        } catch (OrtException | DeviceUnavailableException e) {
            if (device.isGpu() && settings.device().fallbackAllowed()) {
                String reason = "creating the session for " + file.getFileName() + " in " + file.getParent()
                        + " failed: " + (e instanceof DeviceUnavailableException ? e.getMessage()
                        : DeviceDiagnosis.explain(e, device));
                OrtRuntime.markUnusable(device, reason);
                return load(file, settings.onCpuBecause(reason));
            }
            throw new IllegalStateException("cannot load " + file + " on " + device + ": " + e.getMessage(), e);
        }
    }
}
