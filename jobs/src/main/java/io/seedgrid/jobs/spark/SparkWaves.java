package io.seedgrid.jobs.spark;

import org.apache.spark.SparkException;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a lazily enumerated list of tasks as a few Spark jobs of at most {@code waveSize} tasks each, with
 * {@code inFlight} jobs submitted at once: Spark's FIFO scheduler starts the next job's tasks as soon as the
 * current job's last tasks are running, so no slot waits for a barrier, while the driver holds at most
 * {@code waveSize × inFlight} task descriptions and results, whatever the number of tasks.
 */
public final class SparkWaves {

    /** How long a stop waits for cancelled tasks to end (each checks between units of work). */
    static final long TASK_END_WAIT_SECONDS = 120;

    /** How a run of waves ended. */
    public enum Outcome { DONE, STOPPED }

    private SparkWaves() {
    }

    /**
     * @param group   Spark job group of the waves (cancelled on a stop)
     * @param submit  submits one wave as a Spark job
     * @param onDone  told each finished wave's results, in submission order, on the calling thread
     * @param stop    polled while waiting: true cancels the jobs and ends with {@link Outcome#STOPPED}
     * @throws IllegalStateException when a job fails (its other jobs are cancelled first)
     */
    public static <T, R> Outcome run(JavaSparkContext jsc, String group, Iterator<T> tasks, int waveSize, int inFlight,
                                     Function<List<T>, JavaFutureAction<List<R>>> submit, Consumer<List<R>> onDone,
                                     BooleanSupplier stop) {
        jsc.setJobGroup(group, group, true);
        Deque<JavaFutureAction<List<R>>> running = new ArrayDeque<>();
        try {
            while (true) {
                while (running.size() < inFlight && tasks.hasNext() && !stop.getAsBoolean()) {
                    List<T> wave = new ArrayList<>(waveSize);
                    while (wave.size() < waveSize && tasks.hasNext()) {
                        wave.add(tasks.next());
                    }
                    running.add(submit.apply(wave));
                }
                if (running.isEmpty()) {
                    return stop.getAsBoolean() ? Outcome.STOPPED : Outcome.DONE;
                }
                List<R> results = await(running.peek(), stop);
                if (results == null) {
                    cancel(jsc, group, running);
                    return Outcome.STOPPED;
                }
                running.poll();
                onDone.accept(results);
            }
        } catch (RuntimeException e) {
            cancel(jsc, group, running);
            throw e;
        } finally {
            jsc.clearJobGroup();
        }
    }

    /** The job's results, or null when a stop was asked for first. */
    private static <R> List<R> await(JavaFutureAction<List<R>> job, BooleanSupplier stop) {
        while (true) {
            if (stop.getAsBoolean()) {
                return null;
            }
            try {
                return job.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // poll the stop flag again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                if (stop.getAsBoolean()) {
                    return null;
                }
                throw new IllegalStateException(reason(e.getCause()), e.getCause());
            }
        }
    }

    /**
     * Cancels the group's jobs and waits until their tasks have ended, not only the jobs: a cancelled job
     * ends at once while its tasks stop at their next check, and a task still running when the caller
     * releases the run lock could publish behind the next attempt's back.
     */
    private static <R> void cancel(JavaSparkContext jsc, String group, Deque<JavaFutureAction<List<R>>> running) {
        jsc.cancelJobGroup(group);
        for (JavaFutureAction<List<R>> job : running) {
            try {
                job.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
                // cancelled as asked
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.clear();
        JavaSparkStatusTracker tracker = jsc.statusTracker();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TASK_END_WAIT_SECONDS);
        while (System.nanoTime() < deadline && activeTasks(tracker, group) > 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Tasks of the group's jobs that have started and not ended. */
    private static int activeTasks(JavaSparkStatusTracker tracker, String group) {
        int active = 0;
        for (int jobId : tracker.getJobIdsForGroup(group)) {
            SparkJobInfo job = tracker.getJobInfo(jobId);
            if (job == null) {
                continue;
            }
            for (int stageId : job.stageIds()) {
                SparkStageInfo stage = tracker.getStageInfo(stageId);
                active += stage == null ? 0 : stage.numActiveTasks();
            }
        }
        return active;
    }

    /** A failed job's message without Spark's wrapping: the first task failure's own message. */
    static String reason(Throwable failure) {
        String message = failure == null ? "unknown failure" : String.valueOf(failure.getMessage());
        if (failure instanceof SparkException) {
            int cause = message.indexOf("): ");
            if (cause > 0) {
                String rest = message.substring(cause + 3);
                int end = rest.indexOf("\n");
                message = "a task failed: " + (end > 0 ? rest.substring(0, end) : rest);
            }
        }
        return message;
    }
}
