package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.GracefulStop;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM and SIGINT handlers for the stage commands. The first signal asks for a {@link GracefulStop}: the
 * stage cancels its Spark jobs, ONNX Runtime calls are cancelled, and the command exits with 143 (TERM) or
 * 130 (INT) and one line. Should the stage not end within {@value #GRACE_SECONDS} s, the process exits
 * anyway (its shutdown hooks still close ONNX Runtime safely); a second signal exits at once.
 */
final class Signals {

    static final int GRACE_SECONDS = 30;

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private Signals() {
    }

    static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        for (GracefulStop.Signal signal : GracefulStop.Signal.values()) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), ignored -> onSignal(signal));
        }
    }

    private static void onSignal(GracefulStop.Signal signal) {
        if (GracefulStop.requested()) {
            Runtime.getRuntime().halt(GracefulStop.signal().exitCode());
        }
        GracefulStop.request(signal);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(GRACE_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("seedgrid: interrupted: the stage did not stop within " + GRACE_SECONDS + " s; exiting");
            System.exit(signal.exitCode());
        }, "seedgrid-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
