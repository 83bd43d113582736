package io.seedgrid.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code <run>/manifest.json}: the run's config and its hash, its models' content hashes, the grid size
 * and, per stage, each attempt with its start, end and counts. Rewritten whole (one object PUT on S3,
 * write-then-rename on a local disk), so a crash never leaves half a manifest.
 */
public final class Manifest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Configuration conf;
    private final ObjectNode root;

    private Manifest(Path file, Configuration conf, ObjectNode root) {
        this.file = file;
        this.conf = conf;
        this.root = root;
    }

    /** The manifest of {@code runDir}, empty when there is none yet. */
    public static Manifest open(String runDir, Configuration conf) {
        return open(runDir, "manifest.json", conf);
    }

    /** The JSON document {@code <dir>/<name>} kept the same way (a tune's {@code tune.json}), empty when there is none. */
    public static Manifest open(String dir, String name, Configuration conf) {
        Path file = new Path(dir, name);
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                return new Manifest(file, conf, JSON.createObjectNode());
            }
            try (FSDataInputStream in = fs.open(file)) {
                JsonNode node = JSON.readTree(in);
                if (!(node instanceof ObjectNode object)) {
                    throw new IllegalStateException(file + " is not a seedgrid manifest");
                }
                return new Manifest(file, conf, object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public boolean isNew() {
        return root.isEmpty();
    }

    public ObjectNode root() {
        return root;
    }

    /** Writes the manifest. */
    public void save() {
        try {
            FileSystem fs = file.getFileSystem(conf);
            byte[] bytes = JSON.writeValueAsBytes(root);
            if (fs instanceof LocalFileSystem local) {
                java.nio.file.Path target = local.pathToFile(file).toPath();
                java.nio.file.Files.createDirectories(target.getParent());
                java.nio.file.Path temp = io.seedgrid.jobs.LocalFiles.temporaryBeside(target); // umask, not 0600
                java.nio.file.Files.write(temp, bytes);
                java.nio.file.Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                try (FSDataOutputStream out = fs.create(file, true)) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static ObjectMapper json() {
        return JSON;
    }
}
