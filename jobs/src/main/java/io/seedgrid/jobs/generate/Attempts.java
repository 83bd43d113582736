package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The attempts of a stage in the manifest ({@code <stage>.attempts}): each invocation's id, start, end,
 * status ({@code running}, {@code done}, {@code failed}, {@code interrupted}), code version and counts.
 * An attempt still {@code running} when the next one starts (it holds the run lock, so the other is
 * gone) died without a word — a {@code kill -9}, a lost machine — and is marked {@code failed} then.
 */
public final class Attempts {

    private Attempts() {
    }

    /** A new attempt id: UTC time to the second and six random hex digits (sorts by start time). */
    public static String newId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
    }

    /**
     * Adds a {@code running} attempt to {@code stage} after marking attempts left {@code running} as failed,
     * and saves the manifest.
     */
    public static ObjectNode start(Manifest manifest, String stage, String attempt) {
        ObjectNode root = manifest.root();
        ObjectNode node = root.has(stage) ? (ObjectNode) root.get(stage) : root.putObject(stage);
        ArrayNode attempts = node.has("attempts") ? (ArrayNode) node.get("attempts") : node.putArray("attempts");
        for (JsonNode earlier : attempts) {
            if ("running".equals(earlier.path("status").asText()) && earlier instanceof ObjectNode e) {
                e.put("status", "failed");
                e.put("message", "the process ended without finishing (killed or crashed); found by attempt " + attempt);
            }
        }
        ObjectNode current = attempts.addObject();
        current.put("attempt", attempt);
        current.put("started_at", Instant.now().toString());
        current.put("code_version", BuildInfo.codeVersion());
        current.put("status", "running");
        manifest.save();
        return current;
    }

    /** Sets an attempt's status, counts and (when not null) message; the caller saves the manifest. */
    public static void update(ObjectNode attempt, String status, Map<String, ? extends Number> counts, String message) {
        attempt.put("status", status);
        counts.forEach((key, value) -> {
            if (value instanceof Double d) {
                attempt.put(key, d);
            } else {
                attempt.put(key, value.longValue());
            }
        });
        if (message != null) {
            attempt.put("message", message);
        }
        attempt.put("updated_at", Instant.now().toString());
    }
}
