package io.seedgrid.jobs.generate;

import java.util.regex.Pattern;

/** What a failure while rendering means (see {@link UnitRenderer}). */
final class Failures {

    /**
     * Out-of-memory messages of ONNX Runtime's allocators (CPU arena, BFC arena, CUDA, cuDNN, cuBLAS) and
     * of the C++ runtime.
     */
    private static final Pattern OUT_OF_MEMORY = Pattern.compile(
            "out of memory|failed to allocate|bad_alloc|cudaErrorMemoryAllocation|CUDNN_STATUS_ALLOC_FAILED"
                    + "|CUBLAS_STATUS_ALLOC_FAILED|BFCArena.*(?:allocat|extend)", Pattern.CASE_INSENSITIVE);

    private Failures() {
    }

    /** The Java heap or a native allocator ran out of memory somewhere in the cause chain. */
    static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError || (t.getMessage() != null && OUT_OF_MEMORY.matcher(t.getMessage()).find())) {
                return true;
            }
        }
        return false;
    }

    /** Bad input that the checks before the run could not see: the same unit fails the same way anywhere. */
    static boolean isBadInput(Throwable e) {
        return e instanceof IllegalArgumentException;
    }

    /** The failure as an unchecked exception for Spark to see (and retry the task). */
    static RuntimeException unchecked(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
}
