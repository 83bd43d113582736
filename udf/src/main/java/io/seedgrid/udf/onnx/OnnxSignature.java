package io.seedgrid.udf.onnx;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs and outputs an ONNX model file declares (name, element type, shape), whoever read them: an
 * ONNX Runtime session ({@link OnnxModel#signature()}) or the file's protobuf without a session
 * ({@code io.seedgrid.udf.blend.OnnxFiles}), so that signature checks run the same on both.
 *
 * @param file    the model file
 * @param inputs  declared inputs in the model's order (initializers excluded, as ONNX Runtime reports them)
 * @param outputs declared outputs in the model's order
 */
public record OnnxSignature(Path file, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {

    public OnnxSignature {
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** The input {@code name}, or a {@link ModelSignatureException} naming the file and what it has instead. */
    public TensorSpec input(String name) {
        TensorSpec spec = inputs.get(name);
        if (spec == null) {
            throw new ModelSignatureException(file + " has no input '" + name + "' (inputs: " + inputs.keySet() + ")");
        }
        return spec;
    }

    /** The output {@code name}, or a {@link ModelSignatureException} naming the file and what it has instead. */
    public TensorSpec output(String name) {
        TensorSpec spec = outputs.get(name);
        if (spec == null) {
            throw new ModelSignatureException(file + " has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        }
        return spec;
    }
}
