package io.seedgrid.jobs.testing;

import io.seedgrid.jobs.spark.SessionSpec;
import io.seedgrid.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/**
 * The local SparkSession that tests of one JVM share: {@code local[2]}, UI off, two shuffle partitions,
 * built by {@link SparkSessions} like a job's. Starting Spark costs seconds, so it is made once and
 * kept; a test that needs its own context (another master, static settings) calls {@link #stop()}
 * first, and the next {@link #session()} starts a fresh shared one.
 */
public final class TestSpark {

    public static final String MASTER = "local[2]";

    private static SparkSession session;

    private TestSpark() {
    }

    /** The shared local session, started on first use (or after {@link #stop()}). */
    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSessions.getOrCreate(spec());
            if (!session.sparkContext().master().equals(MASTER)) {
                throw new IllegalStateException("another SparkContext (master " + session.sparkContext().master()
                        + ") runs in this test JVM; stop it before using TestSpark");
            }
        }
        return session;
    }

    /** The settings of the shared session, for tests that build a variant of it. */
    public static SessionSpec spec() {
        return SessionSpec.of("seedgrid-test")
                .withMaster(MASTER)
                .withUi(false)
                .withConf("spark.sql.shuffle.partitions", "2")
                .withConf("spark.ui.showConsoleProgress", "false");
    }

    /** Stops the shared session (if any) so that a test can start a SparkContext of its own. */
    public static synchronized void stop() {
        SparkSession active = session;
        session = null;
        if (active != null) {
            active.stop();
        }
        stopAnyOther();
    }

    /** Stops whatever SparkSession this thread or JVM still has active, as one context per JVM allows. */
    static void stopAnyOther() {
        scala.Option<SparkSession> active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            active.get().stop();
        }
        scala.Option<SparkSession> fallback = SparkSession.getDefaultSession();
        if (fallback.isDefined()) {
            fallback.get().stop();
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }
}
