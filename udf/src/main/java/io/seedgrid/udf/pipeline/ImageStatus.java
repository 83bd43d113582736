package io.seedgrid.udf.pipeline;

import java.util.Locale;

/** How an image came out. */
public enum ImageStatus {
    /** A finite image. */
    OK,
    /** NaN or Inf in the latents or the decoded image (fp16 VAE overflow, say): no image is written. */
    NAN,
    /** An error stopped this image; the message says which. */
    ERROR;

    /** The lower-case name used in output rows. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
