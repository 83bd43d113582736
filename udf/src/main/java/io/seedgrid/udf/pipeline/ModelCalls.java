package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.onnx.OnnxModel;

import java.util.Map;
import java.util.Set;

/**
 * Where the pipeline's sub-model calls go: ONNX Runtime ({@link #ONNX}) in every run. The overlap benchmark
 * (jobs' {@code bench overlap}) puts a stand-in here that takes a GPU's modelled time for each call, with the
 * call's real shapes, and uses no CPU for it, so that the CPU work around the calls is measured as a GPU
 * executor would do it on a machine without a GPU.
 */
public interface ModelCalls {

    /** What a call computes, which decides its modelled cost in a stand-in. */
    enum Role {
        /** One of the two text encoders, one prompt (its 77-token chunks as rows). */
        TEXT_ENCODER,
        /** One UNet evaluation of B (or 2B with guidance) rows. */
        UNET,
        /** The VAE decoder, one image. */
        VAE_DECODER
    }

    /** ONNX Runtime, through {@link OnnxModel} (and so the JVM's call gates and cancellation). */
    ModelCalls ONNX = Onnx.INSTANCE;

    /** Runs {@code model} writing its outputs into the pre-allocated tensors {@code pinned}. */
    void runInto(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds,
                 Map<String, ? extends OnnxValue> pinned) throws OrtException;

    /** Runs {@code model} for the requested outputs; the caller closes the result. */
    OrtSession.Result run(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds, Set<String> requested)
            throws OrtException;

    /** ONNX Runtime; an enum so that it stays a singleton when a renderer holding it is serialized. */
    enum Onnx implements ModelCalls {
        INSTANCE;

        @Override
        public void runInto(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds,
                            Map<String, ? extends OnnxValue> pinned) throws OrtException {
            model.runInto(feeds, pinned);
        }

        @Override
        public OrtSession.Result run(Role role, OnnxModel model, Map<String, ? extends OnnxTensorLike> feeds,
                                     Set<String> requested) throws OrtException {
            return model.run(feeds, requested);
        }
    }
}
