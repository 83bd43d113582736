package io.seedgrid.udf.onnx;

/** A model whose inputs or outputs do not fit what seedgrid needs; the message names the model and the misfit. */
public final class ModelSignatureException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ModelSignatureException(String message) {
        super(message);
    }
}
