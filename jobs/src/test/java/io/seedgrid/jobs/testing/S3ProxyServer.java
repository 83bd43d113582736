package io.seedgrid.jobs.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 endpoint for tests: S3Proxy (org.gaul:s3proxy) in this JVM on 127.0.0.1 and a free port, over
 * an in-memory ({@link #startTransient()}) or directory ({@link #startFilesystem(Path)}) blob store,
 * with fixed test credentials and one bucket of a fresh name.
 *
 * <p>The blob stores are jclouds' {@code transient} and {@code filesystem} providers. S3Proxy's newer
 * {@code transient-nio2} / {@code filesystem-nio2} stores do not work with the S3A magic committer: they
 * keep prefixes as directories, list them without a size (S3A fails with a NullPointerException) and
 * refuse to delete a non-empty one.
 *
 * <p>{@link #hadoopConf()} holds the S3A settings for that bucket only ({@code fs.s3a.bucket.NAME.*}:
 * endpoint, path-style access, no TLS, the static credentials provider, region), so that several
 * servers, and a SparkContext that outlives them, never mix up endpoints.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "seedgrid-test-access-key";
    public static final String SECRET_KEY = "seedgrid-test-secret-key";
    public static final String REGION = "us-east-1";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final String bucket;

    private S3ProxyServer(BlobStoreContext context, S3Proxy proxy, String bucket) {
        this.context = context;
        this.proxy = proxy;
        this.bucket = bucket;
    }

    /** A server over an in-memory blob store. */
    public static S3ProxyServer startTransient() {
        return start("transient", new Properties());
    }

    /** A server storing its blobs under {@code dir}. */
    public static S3ProxyServer startFilesystem(Path dir) {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        return start("filesystem", props);
    }

    private static S3ProxyServer start(String provider, Properties props) {
        BlobStoreContext context = ContextBuilder.newBuilder(provider)
                .credentials("identity", "credential")
                .overrides(props)
                .buildView(BlobStoreContext.class);
        String bucket = "seedgrid-test-" + UUID.randomUUID().toString().substring(0, 8);
        context.getBlobStore().createContainerInLocation(null, bucket);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start within 10 s (state " + proxy.getState() + ")");
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("cannot start S3Proxy: " + e.getMessage(), e);
        }
        return new S3ProxyServer(context, proxy, bucket);
    }

    public String bucket() {
        return bucket;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** {@code s3a://BUCKET/path}. */
    public String s3a(String path) {
        return "s3a://" + bucket + "/" + (path.startsWith("/") ? path.substring(1) : path);
    }

    /** The blob store behind the server, to look at what was written. */
    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** The S3A settings for this server's bucket, as Hadoop keys. */
    public Map<String, String> hadoopConf() {
        String p = "fs.s3a.bucket." + bucket + ".";
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put(p + "endpoint", endpoint().toString());
        conf.put(p + "endpoint.region", REGION);
        conf.put(p + "path.style.access", "true");
        conf.put(p + "connection.ssl.enabled", "false");
        conf.put(p + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        conf.put(p + "access.key", ACCESS_KEY);
        conf.put(p + "secret.key", SECRET_KEY);
        conf.put(p + "attempts.maximum", "2");
        conf.put(p + "retry.limit", "2");
        return conf;
    }

    /** {@link #hadoopConf()} as Spark settings ({@code spark.hadoop.*}), for a session yet to start. */
    public Map<String, String> sparkConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        hadoopConf().forEach((k, v) -> conf.put("spark.hadoop." + k, v));
        return conf;
    }

    /** Adds {@link #hadoopConf()} to {@code conf}. */
    public void configure(Configuration conf) {
        hadoopConf().forEach(conf::set);
    }

    /** Points a running session's Hadoop configuration at this server (for its bucket only). */
    public void configure(SparkSession session) {
        configure(session.sparkContext().hadoopConfiguration());
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
