package io.seedgrid.jobs;

import io.seedgrid.udf.onnx.OrtRuntime;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/** Facts about this build (from {@code seedgrid-build.properties}), for {@code --version} and provenance. */
public final class BuildInfo {

    /** What {@link #gitCommit()} reads when the build did not run in a git checkout. */
    public static final String UNKNOWN_COMMIT = "unknown";

    private static final Pattern ABBREVIATED_HASH = Pattern.compile("[0-9a-f]{7,40}");
    private static final Properties PROPERTIES = load();

    private BuildInfo() {
    }

    /** seedgrid's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return PROPERTIES.getProperty("version", "unknown");
    }

    /**
     * The git commit the build was made from: its 12-digit abbreviated hash, with {@code -dirty} when
     * the working tree held changes at build time (modified or untracked files, as {@code git status}
     * lists them), or {@code unknown} when the build ran outside a git checkout (a source archive) or
     * without git.
     */
    public static String gitCommit() {
        return gitCommit(PROPERTIES);
    }

    /** {@link #gitCommit()} from build properties ({@code git.commit}, {@code git.dirty}). */
    static String gitCommit(Properties properties) {
        String id = properties.getProperty("git.commit", "").trim();
        if (!ABBREVIATED_HASH.matcher(id).matches()) {
            return UNKNOWN_COMMIT; // unset, or Maven's unfiltered ${git.commit.id.abbrev}
        }
        return "true".equals(properties.getProperty("git.dirty", "").trim()) ? id + "-dirty" : id;
    }

    /**
     * The ONNX Runtime version: the native library's own once this JVM has loaded it, else the version
     * seedgrid was built against.
     */
    public static String onnxRuntimeVersion() {
        return onnxRuntimeVersion(OrtRuntime.loadedVersion(), PROPERTIES);
    }

    /** The loaded library's version, else the build property {@code onnxruntime}. */
    static String onnxRuntimeVersion(Optional<String> loaded, Properties properties) {
        return loaded.orElseGet(() -> properties.getProperty("onnxruntime", "?"));
    }

    /**
     * The code version written into every output row, e.g.
     * {@code seedgrid 0.1.0-SNAPSHOT (git 1a2b3c4d5e6f, onnxruntime 1.28.0, spark 4.1.2)}.
     */
    public static String codeVersion() {
        return "seedgrid " + version() + " (git " + gitCommit() + ", onnxruntime " + onnxRuntimeVersion()
                + ", spark " + PROPERTIES.getProperty("spark", "?") + ")";
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/seedgrid-build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** picocli's {@code --version}. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {codeVersion()};
        }
    }
}
