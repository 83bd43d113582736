package io.seedgrid.udf.blend;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link BlendCacheTest}: prints "ready", asks a cache for one blend and
 * prints whether it made it. Arguments: model A, model B, alpha, cache root.
 */
public final class BlendCacheRace {

    private BlendCacheRace() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        System.out.flush();
        CachedBlend blend = new BlendCache(Path.of(args[3]))
                .get(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]));
        System.out.println("created=" + blend.created() + " dir=" + blend.directory());
    }
}
