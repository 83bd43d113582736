package io.seedgrid.udf.sampler;

/** Argument checks shared by the samplers' {@code step}. */
final class StepArguments {

    private StepArguments() {
    }

    static void check(Timeline timeline, int i, float[] x, float[] modelOutput) {
        if (i < 0 || i >= timeline.steps()) {
            throw new IllegalArgumentException("step " + i + " is outside [0, " + timeline.steps() + ")");
        }
        if (x.length != modelOutput.length) {
            throw new IllegalArgumentException("latent has " + x.length + " values but the model output has "
                    + modelOutput.length);
        }
    }
}
