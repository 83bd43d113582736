package io.seedgrid.jobs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Build facts tests need outside the test JVM: the JVM flags Spark 4 needs on Java 17, and the
 * repository root.
 */
public final class SeedgridBuild {

    /** System property that may carry the JVM flags; else they come from seedgrid-build.properties. */
    public static final String JVM_FLAGS_PROPERTY = "seedgrid.jvmFlags";

    private SeedgridBuild() {
    }

    /**
     * The parent POM's {@code seedgrid.jvmFlags} (the {@code --add-opens} list of Spark's
     * JavaModuleOptions and friends), which surefire gives the test JVM. Read from the system property
     * {@value #JVM_FLAGS_PROPERTY} when set, else from {@code seedgrid-build.properties}, which the jobs
     * build filters from the same POM property, so the list is never written twice.
     */
    public static List<String> jvmFlags() {
        String flags = System.getProperty(JVM_FLAGS_PROPERTY);
        if (flags == null || flags.isBlank()) {
            flags = buildProperties().getProperty("jvm.flags", "");
        }
        if (flags.isBlank() || flags.contains("${")) {
            throw new IllegalStateException("the JVM flags are unknown: set -D" + JVM_FLAGS_PROPERTY
                    + " or build the jobs module so that seedgrid-build.properties is filtered");
        }
        return Arrays.stream(flags.strip().split("\\s+")).toList();
    }

    /** The repository root: {@code seedgrid.repo} (set by surefire) or the nearest parent of the working directory holding udf/ and jobs/. */
    public static Path repoRoot() {
        String configured = System.getProperty("seedgrid.repo");
        if (configured != null && isRoot(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isRoot(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the seedgrid repository root from " + Path.of("").toAbsolutePath());
    }

    /** This module's build directory (jobs/target). */
    public static Path targetDir() {
        return repoRoot().resolve("jobs").resolve("target");
    }

    private static boolean isRoot(Path p) {
        return Files.isDirectory(p.resolve("udf")) && Files.isDirectory(p.resolve("jobs")) && Files.isRegularFile(p.resolve("pom.xml"));
    }

    private static Properties buildProperties() {
        Properties props = new Properties();
        try (InputStream in = SeedgridBuild.class.getResourceAsStream("/seedgrid-build.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }
}
