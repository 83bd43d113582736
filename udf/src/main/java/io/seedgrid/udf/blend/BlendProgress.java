package io.seedgrid.udf.blend;

/** Told after each tensor of a blend is written, e.g. to log progress over a 10 GB UNet. */
@FunctionalInterface
public interface BlendProgress {

    /** Reports nothing. */
    BlendProgress NONE = (tensor, bytesDone, bytesTotal) -> { };

    /**
     * @param tensor     the name of the tensor just written
     * @param bytesDone  bytes of tensor values written so far
     * @param bytesTotal bytes of tensor values the blend writes in all
     */
    void tensorWritten(String tensor, long bytesDone, long bytesTotal);
}
