package io.seedgrid.udf.recipe;

import io.seedgrid.udf.pipeline.SdxlModel;

/** Turns a recipe's model references into loaded models (on an executor: from paths, blends from a blend cache). */
@FunctionalInterface
public interface ModelResolver {

    SdxlModel resolve(ModelRef ref);
}
