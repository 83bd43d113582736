package io.seedgrid.jobs;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts about this build (from {@code seedgrid-build.properties}), for {@code --version} and provenance. */
public final class BuildInfo {

    private static final Properties PROPERTIES = load();

    private BuildInfo() {
    }

    /** seedgrid's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return PROPERTIES.getProperty("version", "unknown");
    }

    /** The code version written into every output row: seedgrid's version and the ONNX Runtime it was built with. */
    public static String codeVersion() {
        return "seedgrid " + version() + " (onnxruntime " + PROPERTIES.getProperty("onnxruntime", "?")
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
