package io.seedgrid.udf.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An LPIPS v0.1 metric model: {@code model.onnx} maps {@code input} float32 [B,3,H,W] in [-1,1]
 * (ScalingLayer inside the graph) to the activations named in {@code layers}; {@code weights} holds
 * the non-negative per-channel weights of each layer's 1x1 {@code lin} convolution.
 */
public record LpipsSpec(Path directory, Path model, String net, String input, List<String> layers,
                        List<float[]> weights) implements MetricModelSpec {
    static final String TYPE = "lpips";

    public LpipsSpec {
        layers = List.copyOf(layers);
        if (weights.size() != layers.size()) {
            throw new IllegalArgumentException("LPIPS model " + directory + ": " + layers.size() + " layers but "
                    + weights.size() + " weight vectors");
        }
        weights = weights.stream().map(float[]::clone).toList();
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Copies of the per-layer channel weights. */
    @Override
    public List<float[]> weights() {
        return weights.stream().map(float[]::clone).toList();
    }

    /** Number of channels of layer {@code l}, as the weights declare it. */
    public int channels(int l) {
        return weights.get(l).length;
    }

    /** Weight of channel {@code c} of layer {@code l}. */
    float weight(int l, int c) {
        return weights.get(l)[c];
    }

    static LpipsSpec parse(SpecJson json, Path dir) {
        String version = json.string("version");
        if (!version.equals("0.1")) {
            throw json.error("version", "is '" + version + "': only LPIPS v0.1 is supported");
        }
        Path model = dir.toAbsolutePath().normalize().resolve("model.onnx");
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException(json.where() + ": an LPIPS model needs " + model + ", which does not exist");
        }
        JsonNode layerNodes = json.array("layers");
        List<String> layers = new ArrayList<>();
        for (JsonNode l : layerNodes) {
            if (!l.isTextual() || l.asText().isEmpty()) {
                throw json.error("layers", "must hold output names, got " + l);
            }
            if (layers.contains(l.asText())) {
                throw json.error("layers", "names '" + l.asText() + "' twice");
            }
            layers.add(l.asText());
        }
        JsonNode weightNodes = json.array("weights");
        if (weightNodes.size() != layers.size()) {
            throw json.error("weights", "has " + weightNodes.size() + " vectors for " + layers.size()
                    + " layers: one vector of channel weights per layer is needed");
        }
        List<float[]> weights = new ArrayList<>();
        for (int l = 0; l < weightNodes.size(); l++) {
            JsonNode w = weightNodes.get(l);
            if (!w.isArray() || w.isEmpty()) {
                throw json.error("weights", "entry " + l + " (layer " + layers.get(l) + ") must be a non-empty array");
            }
            float[] v = new float[w.size()];
            for (int c = 0; c < v.length; c++) {
                JsonNode x = w.get(c);
                if (!x.isNumber() || !Double.isFinite(x.asDouble()) || x.asDouble() < 0) {
                    throw json.error("weights", "entry " + l + " (layer " + layers.get(l) + ") channel " + c + " is "
                            + x + ": LPIPS v0.1 weights are finite and non-negative");
                }
                v[c] = (float) x.asDouble();
            }
            weights.add(v);
        }
        return new LpipsSpec(dir, model, json.has("net") ? json.string("net") : "unknown", json.string("input"),
                layers, weights);
    }
}
