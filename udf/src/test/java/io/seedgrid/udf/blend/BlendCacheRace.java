package io.seedgrid.udf.blend;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link BlendCacheTest}: prints "ready", asks a cache for one blend and
 * prints whether it made it. Arguments: model A, model B, alpha, cache root, and optionally the cache's
 * size cap in bytes and minimum age in milliseconds.
 */
public final class BlendCacheRace {

    private BlendCacheRace() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        System.out.flush();
        BlendCache cache = args.length > 4
                ? new BlendCache(Path.of(args[3]), Long.parseLong(args[4]), java.time.Duration.ofMillis(Long.parseLong(args[5])))
                : new BlendCache(Path.of(args[3]));
        CachedBlend blend = cache.get(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]));
        System.out.println("created=" + blend.created() + " dir=" + blend.directory());
    }
}
