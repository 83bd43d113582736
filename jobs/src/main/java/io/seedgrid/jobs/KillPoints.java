package io.seedgrid.jobs;

/**
 * Named moments of a run at which the crash tests kill the process ({@code kill -9}, SIGTERM): with the
 * system property {@code seedgrid.test.pause-at=<point>} (or {@code <point>:<n>}, the n-th time) the thread
 * that reaches that point prints {@code seedgrid-test: paused at <point>} on stderr and waits there
 * ({@code seedgrid.test.pause-ms}, default ten minutes; 0 only announces), so the test knows exactly where
 * the process is when it kills it. Without the property (every real run) {@link #reach} does nothing.
 */
public final class KillPoints {

    /** A part's first unit is rendered, nothing of the part is written yet. */
    public static final String RENDERING = "rendering";
    /** A part's file is complete in the attempt's temporary folder, not yet published. */
    public static final String BEFORE_PUBLISH = "before-publish";
    /** A part's file is published; the driver has not heard of it yet. */
    public static final String AFTER_PUBLISH = "after-publish";
    /** The driver is about to save the manifest after a wave of parts. */
    public static final String MANIFEST = "manifest";
    /** A measure task has published its bucket's files. */
    public static final String MEASURED = "measured";

    /** A part is being measured: its bucket's new files are written, none replaced yet. */
    public static final String MEASURING = "measuring";

    private static final String SETTING = System.getProperty("seedgrid.test.pause-at");
    private static final String POINT = SETTING == null ? null : SETTING.replaceFirst(":\\d+$", "");
    private static final int NTH = SETTING == null || !SETTING.matches(".*:\\d+") ? 1
            : Integer.parseInt(SETTING.substring(SETTING.lastIndexOf(':') + 1));
    private static final long PAUSE_MS = Long.getLong("seedgrid.test.pause-ms", 600_000);
    private static final java.util.concurrent.atomic.AtomicInteger REACHED = new java.util.concurrent.atomic.AtomicInteger();

    private KillPoints() {
    }

    /** Pauses here when the crash test asked for this point (the n-th time it is reached). */
    public static void reach(String point) {
        if (POINT == null || !POINT.equals(point) || REACHED.incrementAndGet() != NTH) {
            return;
        }
        System.err.println("seedgrid-test: paused at " + point);
        System.err.flush();
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
