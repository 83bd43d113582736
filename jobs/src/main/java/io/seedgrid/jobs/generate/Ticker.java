package io.seedgrid.jobs.generate;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints a progress line every few seconds while a long stage runs, when the line has changed. */
final class Ticker implements AutoCloseable {

    private final ScheduledExecutorService timer;

    private Ticker(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static Ticker every(long seconds, Supplier<String> line, PrintStream console) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seedgrid-progress");
            t.setDaemon(true);
            return t;
        });
        String[] last = {""};
        timer.scheduleAtFixedRate(() -> {
            String text = line.get();
            if (!text.equals(last[0])) {
                console.println(text);
                last[0] = text;
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        return new Ticker(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
