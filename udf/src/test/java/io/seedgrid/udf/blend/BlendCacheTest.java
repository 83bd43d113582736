package io.seedgrid.udf.blend;

import static io.seedgrid.udf.blend.Fixtures.model;
import static io.seedgrid.udf.blend.Fixtures.tensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlendCacheTest {

    @TempDir
    Path tmp;

    private final Path a = model("net32", "a");
    private final Path b = model("net32", "b");

    @Test
    void makesABlendOnceAndThenReusesIt() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"));

        CachedBlend first = cache.get(a, b, 0.5);
        CachedBlend second = cache.get(a, b, 0.5);

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.directory(), second.directory());
        assertTrue(first.directory().getFileName().toString().startsWith("alpha0.5-"));
        OnnxBlendTest.assertSameTensors(tensors(model("net32", "expected-0.5")), tensors(first.model()));
        JsonNode manifest = new ObjectMapper().readTree(first.directory().resolve(BlendCache.MANIFEST_FILE).toFile());
        assertEquals(0.5, manifest.get("alpha").asDouble());
        assertEquals(a.toRealPath().toString(), manifest.get("modelA").get(0).get("path").asText());
        assertEquals(b.resolveSibling("model.onnx_data").toRealPath().toString(),
                manifest.get("modelB").get(1).get("path").asText(), "B's external data is part of its identity");
        assertEquals(List.of(), leftovers(cache.root()));
    }

    @Test
    void theKeyHoldsAlphaExactly() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"));

        Path half = cache.get(a, b, 0.3).directory();
        Path nextToHalf = cache.get(a, b, Math.nextUp(0.3)).directory();
        Path zero = cache.get(a, b, 0.0).directory();
        Path negativeZero = cache.get(a, b, -0.0).directory();

        assertNotEquals(half, nextToHalf);
        assertEquals(zero, negativeZero);
        assertThrows(IllegalArgumentException.class, () -> cache.get(a, b, Double.NaN));
    }

    @Test
    void aChangedInputMakesANewEntry() throws Exception {
        Path copyB = Files.createDirectories(tmp.resolve("b"));
        Files.copy(b, copyB.resolve("model.onnx"));
        Path data = Files.copy(b.resolveSibling("model.onnx_data"), copyB.resolve("model.onnx_data"));
        BlendCache cache = new BlendCache(tmp.resolve("cache"));

        Path before = cache.get(a, copyB.resolve("model.onnx"), 0.5).directory();
        Files.setLastModifiedTime(data, FileTime.fromMillis(Files.getLastModifiedTime(data).toMillis() - 60_000));
        CachedBlend after = cache.get(a, copyB.resolve("model.onnx"), 0.5);

        assertTrue(after.created(), "retouched external data is a different input");
        assertNotEquals(before, after.directory());
    }

    @Test
    void anInterruptedBlendLeavesNoEntryAndTheNextCallMakesIt() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"));
        BlendProgress crash = (tensor, done, total) -> {
            throw new IllegalStateException("simulated crash while writing " + tensor);
        };

        assertThrows(IllegalStateException.class, () -> cache.get(a, b, 0.5, crash));
        assertEquals(List.of(), entries(cache.root()));

        CachedBlend blend = cache.get(a, b, 0.5);
        assertTrue(blend.created());
        OnnxBlendTest.assertSameTensors(tensors(model("net32", "expected-0.5")), tensors(blend.model()));
    }

    @Test
    void theTemporaryDirectoryOfADeadWriterIsRemoved() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"));
        String name = BlendCache.directoryName(ModelIdentity.of(a), ModelIdentity.of(b), 0.5);
        Path stale = Files.createDirectories(cache.root().resolve("." + name + ".tmp-deadbeef"));
        Files.writeString(stale.resolve("model.onnx_data"), "half a blend", StandardCharsets.UTF_8);

        CachedBlend blend = cache.get(a, b, 0.5);

        assertEquals(name, blend.directory().getFileName().toString());
        assertFalse(Files.exists(stale));
        assertEquals(List.of(), leftovers(cache.root()));
    }

    @Test
    void threadsRacingForOneBlendMakeItOnce() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CachedBlend>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<CachedBlend>) () -> cache.get(a, b, 0.5)));
            }
            int created = 0;
            for (Future<CachedBlend> r : results) {
                created += r.get(60, TimeUnit.SECONDS).created() ? 1 : 0;
                assertEquals(results.get(0).get().directory(), r.get().directory());
            }
            assertEquals(1, created);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void jvmsRacingForOneBlendMakeItOnce() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cache"));
        String entry = BlendCache.directoryName(ModelIdentity.of(a), ModelIdentity.of(b), 0.5);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        // Hold the entry's lock until both children are about to ask, so that they really race.
        try (FileChannel lockFile = FileChannel.open(root.resolve(entry + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
            for (int i = 0; i < 2; i++) {
                Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                        System.getProperty("java.class.path"), BlendCacheRace.class.getName(),
                        a.toString(), b.toString(), "0.5", root.toString()).redirectErrorStream(true).start();
                children.add(p);
                outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader output : outputs) {
                String line;
                while ((line = output.readLine()) != null && !line.equals("ready")) {
                    // skip log lines
                }
            }
            Thread.sleep(300);
            assertEquals(List.of(), entries(root), "no child can blend while the lock is held");
        }
        int created = 0;
        for (int i = 0; i < children.size(); i++) {
            assertTrue(children.get(i).waitFor(120, TimeUnit.SECONDS), "child JVM finished");
            String output = outputs.get(i).lines().collect(Collectors.joining("\n"));
            assertEquals(0, children.get(i).exitValue(), output);
            String line = output.lines().filter(l -> l.startsWith("created=")).findFirst().orElseThrow(
                    () -> new AssertionError("no result from a child JVM: " + output));
            created += line.startsWith("created=true") ? 1 : 0;
            assertEquals(root.resolve(entry).toString(), line.substring(line.indexOf("dir=") + 4));
        }
        assertEquals(1, created, "exactly one JVM blends");
        assertEquals(List.of(), leftovers(root));
        OnnxBlendTest.assertSameTensors(tensors(model("net32", "expected-0.5")),
                tensors(root.resolve(entry).resolve("model.onnx")));
    }

    @Test
    void theLeastRecentlyUsedBlendsGoWhenTheCacheIsOverItsCap() throws Exception {
        long one = size(new BlendCache(tmp.resolve("probe")).get(a, b, 0.1).directory());
        BlendCache cache = new BlendCache(tmp.resolve("cache"), 2 * one + one / 2, Duration.ZERO);
        Path first = cache.get(a, b, 0.1).directory();
        Path second = cache.get(a, b, 0.2).directory();
        age(first, 60);
        age(second, 120);
        assertFalse(cache.get(a, b, 0.1).created(), "a use of the first makes it the most recent");

        Path third = cache.get(a, b, 0.3).directory();

        assertEquals(List.of(first, third).stream().sorted().toList(), entries(cache.root()).stream().sorted().toList(),
                "the second was used least recently");
        assertTrue(cache.get(a, b, 0.2).created(), "a removed blend is made again when asked for");
        assertEquals(List.of(), leftovers(cache.root()), "no half-removed blend is left");
    }

    @Test
    void blendsUsedWithinTheMinimumAgeStayOverTheCap() throws Exception {
        BlendCache cache = new BlendCache(tmp.resolve("cache"), 1, Duration.ofHours(1));
        cache.get(a, b, 0.1);
        cache.get(a, b, 0.2);
        assertEquals(2, entries(cache.root()).size(), "another executor may be loading either");
    }

    @Test
    void jvmsShareTheEvictionLockAndTheCap() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cache"));
        Path old = new BlendCache(root).get(a, b, 0.3).directory();
        age(old, 3600);
        long cap = size(old) + size(old) / 2;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child;
        BufferedReader output;
        String entry = BlendCache.directoryName(ModelIdentity.of(a), ModelIdentity.of(b), 0.5);
        // Hold the node-wide eviction lock: the child makes its blend, then waits to evict.
        try (FileChannel lockFile = FileChannel.open(root.resolve(".evict.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
            child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), BlendCacheRace.class.getName(),
                    a.toString(), b.toString(), "0.5", root.toString(), Long.toString(cap), "0")
                    .redirectErrorStream(true).start();
            output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.isDirectory(root.resolve(entry)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.isDirectory(root.resolve(entry)), "the child made its blend");
            Thread.sleep(500);
            assertTrue(child.isAlive(), "the child waits for the eviction lock");
            assertTrue(Files.isDirectory(old), "nothing is removed while another JVM holds the eviction lock");
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = output.lines().collect(Collectors.joining("\n"));
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("created=true"), out);
        assertEquals(List.of(root.resolve(entry)), entries(root), "the old blend made room under the cap");
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static void age(Path entry, long seconds) throws IOException {
        Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis() - seconds * 1000));
    }

    /** Entries (blend directories) in the cache root. */
    private static List<Path> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    /** Temporary directories left in the cache root. */
    private static List<Path> leftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".") && Files.isDirectory(p)).toList();
        }
    }
}
