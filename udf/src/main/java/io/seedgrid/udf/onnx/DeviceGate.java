package io.seedgrid.udf.onnx;

import java.util.function.BooleanSupplier;

/**
 * Lets at most {@link #limit()} calls run on one device at a time; the others wait in arrival order of
 * their wake-ups (a plain monitor: fair enough for a handful of task threads per executor). The limit can
 * change while calls wait. Waiting ends early when the JVM is stopping.
 */
final class DeviceGate {

    private final String device;
    private int limit;
    private int active;
    private int peak;

    DeviceGate(String device, int limit) {
        this.device = device;
        setLimit(limit);
    }

    synchronized void setLimit(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException("at least 1 call at a time on " + device + ", got " + newLimit);
        }
        limit = newLimit;
        notifyAll();
    }

    synchronized int limit() {
        return limit;
    }

    /** The most calls that were ever running at once. */
    synchronized int peak() {
        return peak;
    }

    /**
     * Waits for a free place, then takes it.
     *
     * @throws OrtCalls.StoppedException when {@code stopping} turns true while waiting
     * @throws IllegalStateException when the thread is interrupted while waiting (a cancelled Spark task);
     *                               the interrupt flag stays set
     */
    synchronized void acquire(BooleanSupplier stopping) {
        while (active >= limit) {
            if (stopping.getAsBoolean()) {
                throw new OrtCalls.StoppedException("ONNX Runtime is stopping (the process is shutting down)", null);
            }
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + device, e);
            }
        }
        active++;
        peak = Math.max(peak, active);
    }

    synchronized void release() {
        active--;
        notifyAll();
    }

    /** Wakes the waiting threads so that they see a stop. */
    synchronized void wakeAll() {
        notifyAll();
    }
}
