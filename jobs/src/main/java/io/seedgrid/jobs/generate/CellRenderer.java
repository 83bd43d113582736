package io.seedgrid.jobs.generate;

import io.seedgrid.udf.pipeline.ImageStatus;
import io.seedgrid.udf.pipeline.Timings;

import java.io.Serializable;
import java.util.List;

/**
 * Renders the cells of one work unit on an executor. In a run this is {@link SdxlRenderer}, the SDXL
 * pipeline on ONNX Runtime; benchmarks and tests put stand-ins in its place (the job code around it is the
 * same). An exception means the unit could not be rendered: {@link UnitRenderer} decides what it means.
 */
public interface CellRenderer extends Serializable {

    /** One cell's outcome; {@code png} is null unless the status is ok. */
    record Rendered(ImageStatus status, String message, byte[] png, String device, int promptTokens, boolean truncated,
                    Timings timings) {
    }

    /** The unit's cells, in the unit's seed order. */
    List<Rendered> render(WorkUnit unit, RunContext run) throws Exception;
}
