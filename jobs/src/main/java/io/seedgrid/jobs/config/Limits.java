package io.seedgrid.jobs.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much one run may ask for, so that a typo fails in a second with a message instead of asking ONNX
 * Runtime for terabytes, rendering for years or filling the driver's heap. The defaults fit any real
 * SDXL sweep; a run raises them in its config's {@code limits:} section (README, "The run config").
 *
 * @param imageSide   the largest width or height in pixels ({@code image_side})
 * @param imagePixels the largest width × height ({@code image_pixels})
 * @param steps       the most sampling steps of a recipe's timeline, the schedule a denoise fraction
 *                    stretches included ({@code steps})
 * @param cells       the most cells a grid may have: prompts × seeds × recipes ({@code cells})
 * @param promptChars the longest prompt or negative prompt in characters ({@code prompt_chars})
 * @param configChars the longest config file in characters ({@code config_chars}, at most {@value #MAX_CONFIG_CHARS})
 * @param scalarChars the longest single value of the config in characters ({@code scalar_chars}, at most
 *                    {@value #MAX_SCALAR_CHARS}, which is also the longest line a config may have)
 */
public record Limits(long imageSide, long imagePixels, long steps, long cells, long promptChars, long configChars,
                     long scalarChars) implements Serializable {

    /**
     * The most {@code config_chars} can be: the YAML reader stops there before it has read the config's own
     * limits.
     */
    public static final long MAX_CONFIG_CHARS = 16L << 20;
    /**
     * The most {@code scalar_chars} can be, and the longest line of a config: the YAML scanner's time grows
     * with the square of a single token's length, so the reader stops a longer line early.
     */
    public static final long MAX_SCALAR_CHARS = 1L << 20;

    /** 4096 px per side, 4 Mpx (2048 × 2048), 150 steps, a million cells, 20,000-character prompts, 1 Mi-character configs. */
    public static final Limits DEFAULTS = new Limits(4096, 4L << 20, 150, 1_000_000, 20_000, 1L << 20, 1L << 16);

    private static final String RAISE = " (raise it in the config's limits: section)";

    /** The limits of a config's {@code limits:} section (null: the defaults). */
    static Limits parse(ConfigNode node) {
        if (node == null) {
            return DEFAULTS;
        }
        node.allowOnly(DEFAULTS.byKey().keySet().toArray(String[]::new));
        Map<String, Long> values = new LinkedHashMap<>(DEFAULTS.byKey());
        for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
            long value = entry.getValue().longInteger();
            if (value < 1) {
                throw entry.getValue().error("a limit is a positive whole number, got " + value);
            }
            long ceiling = entry.getKey().equals("config_chars") ? MAX_CONFIG_CHARS
                    : entry.getKey().equals("scalar_chars") ? MAX_SCALAR_CHARS : Long.MAX_VALUE;
            if (value > ceiling) {
                throw entry.getValue().error("can be at most " + ceiling + ", got " + value);
            }
            values.put(entry.getKey(), value);
        }
        return new Limits(values.get("image_side"), values.get("image_pixels"), values.get("steps"), values.get("cells"),
                values.get("prompt_chars"), values.get("config_chars"), values.get("scalar_chars"));
    }

    /** The limits under their config keys, in the README's order. */
    public Map<String, Long> byKey() {
        Map<String, Long> keys = new LinkedHashMap<>();
        keys.put("image_side", imageSide);
        keys.put("image_pixels", imagePixels);
        keys.put("steps", steps);
        keys.put("cells", cells);
        keys.put("prompt_chars", promptChars);
        keys.put("config_chars", configChars);
        keys.put("scalar_chars", scalarChars);
        return keys;
    }

    /**
     * Null when an image of {@code width} × {@code height} is within the limits, else what is over which
     * limit ("4096 x 4096 = 16777216 pixels are over limits.image_pixels = 4194304").
     */
    public String imageProblem(long width, long height) {
        if (width > imageSide || height > imageSide) {
            return Math.max(width, height) + " pixels per side are over limits.image_side = " + imageSide;
        }
        if (width * height > imagePixels) {
            return width + " x " + height + " = " + width * height + " pixels are over limits.image_pixels = " + imagePixels;
        }
        return null;
    }

    /** Null when a timeline of {@code steps} steps is within the limit, else what is over it. */
    public String stepsProblem(long steps) {
        return steps > this.steps ? steps + " steps are over limits.steps = " + this.steps : null;
    }

    /** Null when a prompt of this text is within the limit, else what is over it. */
    public String promptProblem(String text) {
        long length = text.codePointCount(0, text.length());
        return length > promptChars ? length + " characters are over limits.prompt_chars = " + promptChars : null;
    }

    /** Null when a grid of these sizes is within the limit, else what is over it. */
    public String cellsProblem(long prompts, long seeds, long recipes) {
        String grid = prompts + " prompts x " + seeds + " seeds x " + recipes + " recipes";
        try {
            long cells = Math.multiplyExact(Math.multiplyExact(prompts, seeds), recipes);
            return cells > this.cells ? "the grid of " + grid + " = " + cells + " cells is over limits.cells = " + this.cells
                    : null;
        } catch (ArithmeticException e) {
            return "the grid of " + grid + " has more than 2^63 cells, over limits.cells = " + this.cells;
        }
    }

    /** How a config's limit is raised, for the end of a message. */
    static String raise() {
        return RAISE;
    }
}
