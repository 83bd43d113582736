package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seedgrid.jobs.BuildInfo;
import io.seedgrid.jobs.config.RunConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * What {@code <run>/manifest.json} says about the run folder as a whole: the config that made it, its
 * identity (what decides how a cell renders), the models' content hashes, and the layout of its tables
 * ({@code layout.prompt_buckets}, fixed by the first generate).
 */
public final class RunFolder {

    /** Version of the tables' layout; a run folder of another version is refused. */
    public static final int LAYOUT_VERSION = 2;

    private RunFolder() {
    }

    /** Refuses to mix two different runs in one folder: the rendering settings and model contents must match. */
    static void checkSameRun(Manifest manifest, RunConfig config, Map<String, ModelIdentity> models) {
        if (manifest.isNew()) {
            return;
        }
        ObjectNode root = manifest.root();
        if (root.path("layout").path("version").asInt(1) != LAYOUT_VERSION) {
            throw new IllegalArgumentException("run folder " + config.runDirectory() + " was written by an earlier"
                    + " seedgrid (table layout version " + root.path("layout").path("version").asInt(1) + ", this one"
                    + " writes version " + LAYOUT_VERSION + "): use another run name");
        }
        String recorded = root.path("identity_hash").asText("");
        if (!recorded.equals(config.identityHash())) {
            throw new IllegalArgumentException("run folder " + config.runDirectory() + " holds a run made with other models,"
                    + " size, recipes or long_prompt (config " + root.path("config_file").asText("?") + "); only prompts and"
                    + " seeds may change between reruns: use another run name");
        }
        for (Map.Entry<String, ModelIdentity> model : models.entrySet()) {
            String before = root.path("models").path(model.getKey()).path("sha256").asText("");
            if (!before.isEmpty() && !before.equals(model.getValue().sha256())) {
                throw new IllegalArgumentException("model '" + model.getKey() + "' has changed since this run started"
                        + " (content hash " + before.substring(0, 12) + " then, " + model.getValue().sha256().substring(0, 12)
                        + " now): use another run name");
            }
        }
    }

    /**
     * The prompt buckets of the run folder: those of its manifest, else the config's {@code prompt_buckets},
     * else {@link GridLayout#autoBuckets}.
     */
    public static int buckets(Manifest manifest, RunConfig config) {
        int recorded = manifest.root().path("layout").path("prompt_buckets").asInt(0);
        int asked = config.parts().promptBuckets();
        if (recorded > 0 && asked > 0 && recorded != asked) {
            throw new IllegalArgumentException("prompt_buckets " + asked + " differs from the " + recorded + " buckets the"
                    + " run folder " + config.runDirectory() + " was made with: leave it out or use another run name");
        }
        return recorded > 0 ? recorded : asked > 0 ? asked : GridLayout.autoBuckets(config);
    }

    /** The prompt buckets an existing run folder was made with (0 when it has none yet). */
    public static int recordedBuckets(Manifest manifest) {
        return manifest.root().path("layout").path("prompt_buckets").asInt(0);
    }

    /** Records the config, identity, models, grid and layout (the attempts are added by {@link Attempts}). */
    static void record(Manifest manifest, RunConfig config, Map<String, ModelIdentity> models, int buckets) {
        ObjectNode root = manifest.root();
        root.put("run", config.run());
        root.put("config_file", config.source());
        try {
            JsonNode canonical = Manifest.json().readTree(config.canonicalJson());
            root.set("config", canonical);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root.put("identity_hash", config.identityHash());
        ObjectNode m = root.putObject("models");
        models.forEach((name, id) -> m.putObject(name).put("path", id.path()).put("base", id.base()).put("sha256", id.sha256()));
        ObjectNode grid = root.putObject("grid");
        grid.put("prompts", config.prompts().size());
        grid.put("seeds", config.seeds().size());
        grid.put("recipes", config.recipes().size());
        grid.put("cells", config.gridSize());
        root.putObject("layout").put("version", LAYOUT_VERSION).put("prompt_buckets", buckets);
        root.put("code_version", BuildInfo.codeVersion());
    }
}
