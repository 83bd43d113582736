package io.seedgrid.udf.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX sub-model (a text encoder, the UNet, the VAE decoder, a metric backbone): a session and
 * the inputs and outputs it declares. Instances come from {@link SessionCache} and are shared by
 * every task of the JVM; {@link OrtSession#run} is thread-safe.
 */
public final class OnnxModel {

    private final Path file;
    private final SessionSettings settings;
    private final OrtSession session;
    private final OnnxSignature signature;

    OnnxModel(Path file, SessionSettings settings, OrtSession session) throws OrtException {
        this.file = file;
        this.settings = settings;
        this.session = session;
        this.signature = new OnnxSignature(file, specs(session.getInputInfo()), specs(session.getOutputInfo()));
    }

    private static Map<String, TensorSpec> specs(Map<String, NodeInfo> infos) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        infos.forEach((name, info) -> specs.put(name, TensorSpec.of(name, info)));
        return Collections.unmodifiableMap(specs);
    }

    public Path file() {
        return file;
    }

    public SessionSettings settings() {
        return settings;
    }

    /**
     * The session, for code that drives it directly (metric models, through {@link OrtCalls}); shared:
     * never close it.
     */
    public OrtSession session() {
        return session;
    }

    /** What the session declares: its inputs and outputs in the model's order. */
    public OnnxSignature signature() {
        return signature;
    }

    /** Declared inputs, in the model's order. */
    public Map<String, TensorSpec> inputs() {
        return signature.inputs();
    }

    /** Declared outputs, in the model's order. */
    public Map<String, TensorSpec> outputs() {
        return signature.outputs();
    }

    /** The input {@code name}, or a {@link ModelSignatureException} naming the model and what it has instead. */
    public TensorSpec input(String name) {
        return signature.input(name);
    }

    /** The output {@code name}, or a {@link ModelSignatureException} naming the model and what it has instead. */
    public TensorSpec output(String name) {
        return signature.output(name);
    }

    /** Runs the model for the requested outputs; the caller closes the result. */
    public OrtSession.Result run(Map<String, ? extends OnnxTensorLike> feeds, Set<String> requested) throws OrtException {
        return OrtCalls.run(session, feeds, requested);
    }

    /**
     * Runs the model writing its outputs into pre-allocated tensors (ONNX Runtime's pinned outputs), so
     * that a loop reuses the same buffers and allocates nothing per call.
     */
    public void runInto(Map<String, ? extends OnnxTensorLike> feeds, Map<String, ? extends OnnxValue> pinned)
            throws OrtException {
        OrtCalls.runInto(session, feeds, pinned);
    }

    void close() throws OrtException {
        session.close();
    }

    @Override
    public String toString() {
        return file + " on " + settings.device().actual();
    }
}
