package io.seedgrid.jobs.generate;

import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Renderers that stand in for the SDXL pipeline where a test needs a particular failure. */
final class TestRenderers {

    private TestRenderers() {
    }

    /** Renders with the real pipeline, except that units of {@code badPromptId} fail as bad input. */
    record BadPrompt(String badPromptId) implements CellRenderer {
        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) throws Exception {
            if (unit.promptId().equals(badPromptId)) {
                throw new IllegalArgumentException("the model cannot take prompt " + badPromptId);
            }
            return new SdxlRenderer().render(unit, run);
        }
    }

    /**
     * Renders with the real pipeline, but a unit of more than {@code maxBatch} seeds runs out of memory (as ONNX
     * Runtime's CUDA allocator says it), and so does every unit holding {@code hopelessSeed}.
     */
    record OutOfMemory(int maxBatch, long hopelessSeed) implements CellRenderer {
        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) throws Exception {
            if (unit.size() > maxBatch || Arrays.stream(unit.seeds()).anyMatch(s -> s == hopelessSeed)) {
                throw new ai.onnxruntime.OrtException("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : CUDA failure 2: out of"
                        + " memory ; GPU=0 ; expr=cudaMalloc");
            }
            return new SdxlRenderer().render(unit, run);
        }
    }

    /** The real pipeline, slowed down by {@code millis} per unit, so that a test can kill an executor mid-task. */
    record Slow(long millis) implements CellRenderer {
        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) throws Exception {
            Thread.sleep(millis);
            return new SdxlRenderer().render(unit, run);
        }
    }

    /** A lost device: every unit fails with an error that is not the unit's fault. */
    record LostDevice() implements CellRenderer {
        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) {
            throw new IllegalStateException("CUDA error: an illegal memory access was encountered (device lost)");
        }
    }

    /** No images at all: every cell comes back as nan, quickly (for tests of the run loop, not of images). */
    record AllNan() implements CellRenderer {
        @Override
        public List<Rendered> render(WorkUnit unit, RunContext run) {
            List<Rendered> out = new ArrayList<>();
            for (int i = 0; i < unit.size(); i++) {
                out.add(new Rendered(ImageStatus.NAN, "NaN in the latents", null, "test", 3, false,
                        new Timings(0, 0, 0, 0, 0, 0, 0)));
            }
            return out;
        }
    }
}
