package io.seedgrid.udf.sampler;

import java.util.Locale;

/** What the model predicts, as diffusers' {@code prediction_type} names it. */
public enum PredictionType {
    /** The noise ε of x_t = √ᾱ·x0 + √(1 − ᾱ)·ε. */
    EPSILON("epsilon"),
    /** The velocity v = √ᾱ·ε − √(1 − ᾱ)·x0 (Salimans and Ho 2022). */
    V_PREDICTION("v_prediction");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    /** The value of {@code prediction_type} in scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** Parses a {@code prediction_type} value. */
    public static PredictionType byConfigName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (PredictionType p : values()) {
            if (p.configName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported prediction_type '" + name + "': seedgrid supports epsilon and v_prediction");
    }
}
