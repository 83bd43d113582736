package io.seedgrid.jobs.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Waits, on a cluster, until the application has its first executor, and refuses a cluster that starts none.
 *
 * <p>Spark itself waits forever when no worker can offer what an executor asks for: on workers without GPUs
 * an application asking for {@code spark.executor.resource.gpu.amount} 1 sits at 0 cores, and so does one
 * whose {@code spark.executor.memory} or {@code spark.executor.cores} exceed every worker's. After {@value
 * #TIMEOUT_KEY} (default {@value #DEFAULT_TIMEOUT}) the SparkContext is stopped and the job fails with one
 * line naming what each executor asked for. With dynamic allocation and no initial executors there is
 * nothing to wait for.
 */
public final class FirstExecutor {

    /** How long a cluster may take to start the first executor (a Spark time string, e.g. {@code 90s}, {@code 10min}). */
    public static final String TIMEOUT_KEY = "spark.seedgrid.firstExecutorTimeout";
    static final String DEFAULT_TIMEOUT = "5min";

    private static final Logger LOG = LoggerFactory.getLogger(FirstExecutor.class);
    private static final long POLL_MILLIS = 200;
    private static final long REPORT_SECONDS = 30;

    private FirstExecutor() {
    }

    /**
     * Returns once {@code sc} has an executor; stops it and throws IllegalArgumentException when none
     * registered within the timeout.
     */
    static void await(SparkContext sc) {
        Map<String, String> conf = settings(sc.getConf());
        if (initialExecutors(conf) == 0) {
            LOG.info("dynamic allocation starts no executor before the first task: not waiting for one");
            return;
        }
        long timeoutSeconds = sc.getConf().getTimeAsSeconds(TIMEOUT_KEY, DEFAULT_TIMEOUT);
        long start = System.nanoTime();
        long nextReport = REPORT_SECONDS;
        // getExecutorInfos() lists the driver too
        while (sc.statusTracker().getExecutorInfos().length < 2) {
            long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            if (waited >= timeoutSeconds) {
                String message = noExecutor(sc.master(), timeoutSeconds, conf);
                sc.stop();
                throw new IllegalArgumentException(message);
            }
            if (waited >= nextReport) {
                LOG.warn("no executor yet after {} s (the job gives up after {} s): each executor asks for {}", waited,
                        timeoutSeconds, String.join(", ", request(conf)));
                nextReport += REPORT_SECONDS;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the first executor", e);
            }
        }
    }

    /** The one-line refusal: what each executor asked for, and the ways out. Pure, for tests. */
    static String noExecutor(String master, long timeoutSeconds, Map<String, String> conf) {
        boolean gpu = gpus(conf) > 0;
        StringBuilder out = new StringBuilder("no executor started within ").append(timeoutSeconds).append(" s on ")
                .append(master).append(": each executor asks for ").append(String.join(", ", request(conf)))
                .append(", and no worker offered that.");
        if (gpu) {
            out.append(" Workers without GPUs never do: submit with conf/spark-defaults.cluster.conf (no GPU keys) to run"
                    + " on CPUs; standalone workers offer GPUs only with spark.worker.resource.gpu.amount and"
                    + " spark.worker.resource.gpu.discoveryScript in their own settings.");
        }
        out.append(" Smaller workers: lower spark.executor.memory or spark.executor.cores with --conf. Wait longer: ")
                .append(TIMEOUT_KEY).append('.');
        return out.toString();
    }

    /** What one executor asks for, in words, from the settings that exist. */
    static List<String> request(Map<String, String> conf) {
        List<String> parts = new ArrayList<>();
        long gpus = gpus(conf);
        if (gpus > 0) {
            parts.add(gpus + " gpu (spark.executor.resource.gpu.amount)");
        }
        parts.add(conf.getOrDefault("spark.executor.memory", "1g") + " memory (spark.executor.memory)");
        String cores = conf.get("spark.executor.cores");
        parts.add(cores != null ? cores + " cores (spark.executor.cores)" : "the default cores (spark.executor.cores unset)");
        return parts;
    }

    /** Executors dynamic allocation starts with (Spark's rule: the largest of min, initial and instances); -1 without it. */
    static int initialExecutors(Map<String, String> conf) {
        if (!Boolean.parseBoolean(conf.getOrDefault("spark.dynamicAllocation.enabled", "false").strip())) {
            return -1;
        }
        int initial = 0;
        for (String key : List.of("spark.dynamicAllocation.minExecutors", "spark.dynamicAllocation.initialExecutors",
                "spark.executor.instances")) {
            initial = Math.max(initial, Integer.parseInt(conf.getOrDefault(key, "0").strip()));
        }
        return initial;
    }

    private static long gpus(Map<String, String> conf) {
        String amount = conf.get("spark.executor.resource.gpu.amount");
        return amount == null ? 0 : Long.parseLong(amount.strip());
    }

    private static Map<String, String> settings(SparkConf conf) {
        Map<String, String> out = new HashMap<>();
        for (Tuple2<String, String> kv : conf.getAll()) {
            out.put(kv._1(), kv._2());
        }
        return out;
    }
}
