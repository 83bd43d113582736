package io.seedgrid.udf.metrics;

import io.seedgrid.udf.image.RgbImage;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Image embeddings for {@code image_embedding} models and the image half of {@code clip} models:
 * the declared preprocessing ({@link ImagePreprocessing}), the ONNX encoder, then L2 normalisation.
 * The session belongs to the caller.
 */
public final class ImageEmbedder {
    private final String name;
    private final ImageEncoderSpec spec;
    private final OrtSession session;
    private final String label;

    private ImageEmbedder(String name, ImageEncoderSpec spec, OrtSession session) {
        this.name = name;
        this.spec = spec;
        this.session = session;
        this.label = "image embedding model '" + name + "' (" + spec.model() + ")";
    }

    /**
     * Reads {@code dir/seedgrid-metric.json} ({@code image_embedding}, or the image half of
     * {@code clip}) and checks it against {@code session}, created from the declared image model.
     */
    public static ImageEmbedder load(Path dir, OrtSession session) throws OrtException {
        MetricModelSpec spec = MetricModelSpec.read(dir);
        if (spec instanceof ImageEmbeddingSpec e) {
            return of(e.name(), e.image(), session);
        }
        if (spec instanceof ClipSpec c) {
            return of(c.name(), c.image(), session);
        }
        throw new IllegalArgumentException(dir + " holds a '" + spec.type()
                + "' metric model, not an image embedding or CLIP model");
    }

    /** Checks the declared input [B,3,S,S] float32 and output [B,D] float32 against {@code session}. */
    public static ImageEmbedder of(String name, ImageEncoderSpec spec, OrtSession session) throws OrtException {
        ImageEmbedder e = new ImageEmbedder(name, spec, session);
        TensorInfo in = OnnxChecks.input(session, spec.input(), e.label);
        String what = "input '" + spec.input() + "' [B,3,S,S]";
        OnnxChecks.requireType(in, e.label, what, OnnxJavaType.FLOAT);
        OnnxChecks.requireShape(in, 4, e.label, what);
        OnnxChecks.requireDim(in, 1, 3, e.label, what);
        ImagePreprocessing p = spec.preprocessing();
        if (p.centerCrop() || p.resize() == ImagePreprocessing.Resize.SQUASH) {
            int side = p.centerCrop() ? p.cropSize() : p.size();
            OnnxChecks.requireDim(in, 2, side, e.label, what);
            OnnxChecks.requireDim(in, 3, side, e.label, what);
        }
        TensorInfo out = OnnxChecks.output(session, spec.output(), e.label);
        OnnxChecks.requireType(out, e.label, "output '" + spec.output() + "'", OnnxJavaType.FLOAT);
        OnnxChecks.requireShape(out, 2, e.label, "output '" + spec.output() + "' [B,D]");
        return e;
    }

    /** The embedding's name (e.g. "dinov2-vits14", "clip-vit-l14"). */
    public String name() {
        return name;
    }

    /** The L2-normalised embedding of one image. */
    public float[] embed(RgbImage image) throws OrtException {
        int[] size = spec.preprocessing().outputSize(image.width(), image.height());
        float[] pixels = spec.preprocessing().apply(image);
        OrtEnvironment env = io.seedgrid.udf.onnx.OrtRuntime.environment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels),
                new long[] {1, 3, size[1], size[0]});
             OrtSession.Result result = io.seedgrid.udf.onnx.OrtCalls.run(session, Map.of(spec.input(), input), Set.of(spec.output()))) {
            OnnxValue value = result.get(spec.output()).orElseThrow(() -> new IllegalArgumentException(label
                    + ": the session returned no '" + spec.output() + "'"));
            long[] shape = ((OnnxTensor) value).getInfo().getShape();
            if (shape.length != 2 || shape[0] != 1) {
                throw new IllegalArgumentException(label + ": output '" + spec.output() + "' came back with shape "
                        + java.util.Arrays.toString(shape) + ", expected [1, D]");
            }
            return Embeddings.normalised(OnnxChecks.floats(value, label, spec.output()), label + " output");
        }
    }

    /** Embeddings of each image, in order. */
    public List<float[]> embedAll(List<RgbImage> images) throws OrtException {
        List<float[]> out = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            out.add(embed(image));
        }
        return out;
    }
}
