package io.seedgrid.udf.sampler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The samplers by name: ComfyUI's names ({@code euler}, {@code euler_ancestral}, {@code dpmpp_2m},
 * {@code ddim}, {@code lcm}) and, as aliases, the diffusers scheduler classes they reproduce. Names are
 * case-insensitive.
 */
public final class Samplers {

    private static final Map<String, Sampler> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        register(new Euler(), "EulerDiscreteScheduler");
        register(new EulerAncestral(), "EulerAncestralDiscreteScheduler");
        register(new DpmPp2m(), "DPMSolverMultistepScheduler");
        register(new Ddim(), "DDIMScheduler");
        register(new Lcm(), "LCMScheduler");
    }

    private Samplers() {
    }

    private static void register(Sampler sampler, String diffusersClass) {
        BY_NAME.put(sampler.name(), sampler);
        ALIASES.put(diffusersClass.toLowerCase(Locale.ROOT), sampler.name());
    }

    /** The sampler called {@code name} (ComfyUI name or diffusers class name). */
    public static Sampler byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            Sampler s = BY_NAME.get(ALIASES.getOrDefault(n, n));
            if (s != null) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown sampler '" + name + "': known samplers are " + names()
                + " (or the diffusers classes " + diffusersAliases() + ")");
    }

    /** The sampler called {@code name} with DDIM's η; η other than 0 is an error for the other samplers. */
    public static Sampler byName(String name, double eta) {
        Sampler sampler = byName(name);
        if (eta == 0.0) {
            return sampler;
        }
        if (!sampler.name().equals("ddim")) {
            throw new IllegalArgumentException("eta applies to ddim only, not to " + sampler.name());
        }
        return ddim(eta);
    }

    /** DDIM with stochasticity η (η = 0 is {@code byName("ddim")}). */
    public static Sampler ddim(double eta) {
        return new Ddim(eta);
    }

    /** The ComfyUI names of the known samplers. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The diffusers class names accepted as aliases. */
    public static List<String> diffusersAliases() {
        return List.of("EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "DPMSolverMultistepScheduler",
                "DDIMScheduler", "LCMScheduler");
    }
}
