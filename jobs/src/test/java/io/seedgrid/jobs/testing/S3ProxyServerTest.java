package io.seedgrid.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 test server through Hadoop's S3A client, without Spark. */
class S3ProxyServerTest {

    private static Configuration conf(S3ProxyServer... servers) {
        Configuration conf = new Configuration();
        for (S3ProxyServer s : servers) {
            s.configure(conf);
        }
        // Each test gets its own S3A instance: the cache would keep one per bucket for the JVM's life.
        conf.setBoolean("fs.s3a.impl.disable.cache", true);
        return conf;
    }

    private static void write(FileSystem fs, String uri, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(uri))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(FileSystem fs, String uri) throws IOException {
        try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void filesystemStoreKeepsObjectsAsFilesUnderItsDirectory(@TempDir Path dir) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startFilesystem(dir)) {
            String uri = s3.s3a("runs/r1/manifest.json");
            try (FileSystem fs = FileSystem.newInstance(java.net.URI.create(uri), conf(s3))) {
                write(fs, uri, "{\"cells\":4}");
                assertEquals("{\"cells\":4}", read(fs, uri));
                assertTrue(fs.exists(new org.apache.hadoop.fs.Path(s3.s3a("runs/r1"))), "a prefix reads as a directory");
            }
            Path onDisk = dir.resolve(s3.bucket()).resolve("runs/r1/manifest.json");
            assertEquals("{\"cells\":4}", Files.readString(onDisk));
        }
    }

    @Test
    void eachServerHasItsOwnBucketEndpointAndCredentialsCheck() throws Exception {
        try (S3ProxyServer a = S3ProxyServer.startTransient(); S3ProxyServer b = S3ProxyServer.startTransient()) {
            assertNotEquals(a.bucket(), b.bucket());
            assertNotEquals(a.endpoint(), b.endpoint());
            Configuration both = conf(a, b);
            try (FileSystem fa = FileSystem.newInstance(java.net.URI.create(a.s3a("")), both);
                    FileSystem fb = FileSystem.newInstance(java.net.URI.create(b.s3a("")), both)) {
                write(fa, a.s3a("x.txt"), "from a");
                write(fb, b.s3a("x.txt"), "from b");
                assertEquals("from a", read(fa, a.s3a("x.txt")));
                assertEquals("from b", read(fb, b.s3a("x.txt")));
                assertEquals(1, a.blobStore().countBlobs(a.bucket()));
            }

            Configuration wrongKey = conf(a);
            wrongKey.set("fs.s3a.bucket." + a.bucket() + ".secret.key", "not-the-secret");
            wrongKey.set("fs.s3a.bucket." + a.bucket() + ".retry.limit", "0");
            wrongKey.set("fs.s3a.bucket." + a.bucket() + ".attempts.maximum", "0");
            assertThrows(IOException.class, () -> {
                try (FileSystem bad = FileSystem.newInstance(java.net.URI.create(a.s3a("")), wrongKey)) {
                    read(bad, a.s3a("x.txt"));
                }
            }, "S3Proxy checks the signature");
        }
    }
}
