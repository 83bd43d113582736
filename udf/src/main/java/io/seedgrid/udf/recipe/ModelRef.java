package io.seedgrid.udf.recipe;

/**
 * The UNet a phase runs: a model named in the run config, or a weight blend of two of them,
 * W = W_a + α·(W_b − W_a) ("the distillate in small doses"; with a LoRA fused at 1.0 into b this is
 * exactly LoRA strength α). Text encoders and VAE come from model {@code a} (or the named model).
 */
public sealed interface ModelRef {

    /** The model whose text encoders, tokenizers, scheduler config and VAE the phase uses. */
    String base();

    /** A model by its config name. */
    record Named(String name) implements ModelRef {
        public Named {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a phase must name a model");
            }
        }

        @Override
        public String base() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** W = W_a + α·(W_b − W_a) for two topologically identical UNets. */
    record Blend(String a, String b, double alpha) implements ModelRef {
        public Blend {
            if (a == null || b == null || a.isBlank() || b.isBlank()) {
                throw new IllegalArgumentException("a blend names two models");
            }
            if (!Double.isFinite(alpha)) {
                throw new IllegalArgumentException("blend alpha must be a number, got " + alpha);
            }
        }

        @Override
        public String base() {
            return a;
        }

        /** True when α lies outside [0, 1] (allowed: extrapolation, with a warning). */
        public boolean extrapolates() {
            return alpha < 0 || alpha > 1;
        }

        @Override
        public String toString() {
            return "blend(" + a + ", " + b + ", " + alpha + ")";
        }
    }
}
