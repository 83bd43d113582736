package io.seedgrid.jobs.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.generate.Manifest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a tune folder's {@code tune.json} records, so that a rerun of a killed tune takes the same path: the
 * tune's identity and each rung's decision once it is made. A decision is made once, from the rung's
 * measurements, and replayed after: measurements of later rungs (which grow the groups of earlier prompts) never
 * change an earlier choice. Saved after every change; the images and metrics are the run's, beside it.
 */
final class TuneState {

    private final Manifest manifest;

    private TuneState(Manifest manifest) {
        this.manifest = manifest;
    }

    /**
     * The state in {@code manifest}, after checking that it belongs to this tune.
     *
     * @throws IllegalArgumentException when the folder was made by a tune config with another identity
     */
    static TuneState open(Manifest manifest, TuneConfig tune, String diversity) {
        ObjectNode root = manifest.root();
        if (!manifest.isNew()) {
            if (!tune.identityHash().equals(root.path("identity_hash").asText())) {
                throw new IllegalArgumentException("tune folder " + tune.directory() + " was made by a tune with other"
                        + " prompts, seeds, models, size, search space, metrics, budget or fidelity (config "
                        + root.path("config_file").asText("?") + "): its decisions do not hold for this config; use"
                        + " another run name");
            }
        }
        root.put("run", tune.run().run());
        root.put("config_file", tune.run().source());
        root.put("identity_hash", tune.identityHash());
        root.put("diversity", diversity);
        root.put("adherence", tune.adherence());
        root.put("cost", tune.cost().key());
        root.put("images", tune.images());
        root.put("code_version", BuildInfo.codeVersion());
        if (!root.has("decisions")) {
            root.putArray("decisions");
        }
        return new TuneState(manifest);
    }

    Manifest manifest() {
        return manifest;
    }

    /** The decision recorded for {@code rung}, or null. */
    synchronized Halving.Decision decision(int rung) {
        ArrayNode decisions = (ArrayNode) manifest.root().get("decisions");
        for (JsonNode d : decisions) {
            if (d.path("rung").asInt(-1) == rung) {
                List<String> promoted = new ArrayList<>();
                d.path("promoted").forEach(p -> promoted.add(p.asText()));
                Map<String, String> stopped = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = d.path("stopped").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    stopped.put(e.getKey(), e.getValue().asText());
                }
                return new Halving.Decision(promoted, stopped);
            }
        }
        return null;
    }

    /** Records the decision of {@code rung} and saves. */
    synchronized void record(int rung, long affordable, Halving.Decision decision) {
        ObjectNode d = ((ArrayNode) manifest.root().get("decisions")).addObject();
        d.put("rung", rung);
        d.put("affordable", affordable);
        d.put("decided_at", java.time.Instant.now().toString());
        ArrayNode promoted = d.putArray("promoted");
        decision.promoted().forEach(promoted::add);
        ObjectNode stopped = d.putObject("stopped");
        decision.stopped().forEach(stopped::put);
        manifest.save();
    }

    synchronized void save() {
        manifest.save();
    }
}
