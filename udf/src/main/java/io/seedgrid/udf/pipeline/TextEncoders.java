package io.seedgrid.udf.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.seedgrid.udf.onnx.OnnxModel;
import io.seedgrid.udf.onnx.Tensors;
import io.seedgrid.udf.tokenizer.ClipTokenizer;
import io.seedgrid.udf.tokenizer.TokenizedPrompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SDXL's two text encoders: tokenizes a prompt with each encoder's tokenizer, takes each encoder's
 * penultimate hidden states and concatenates them per token; the pooled embedding is
 * {@code text_encoder_2}'s {@code text_embeds} (of the first chunk, for chunked long prompts, as ComfyUI).
 */
final class TextEncoders {

    private final OnnxModel encoder1;
    private final OnnxModel encoder2;
    private final ClipTokenizer tokenizer1;
    private final ClipTokenizer tokenizer2;
    private final SdxlSignature signature;

    TextEncoders(OnnxModel encoder1, OnnxModel encoder2, ClipTokenizer tokenizer1, ClipTokenizer tokenizer2,
                 SdxlSignature signature) {
        this.encoder1 = encoder1;
        this.encoder2 = encoder2;
        this.tokenizer1 = tokenizer1;
        this.tokenizer2 = tokenizer2;
        this.signature = signature;
    }

    /** Encodes {@code text} through {@code calls}; the time spent in the calls is added to {@code clock}. */
    EncodedPrompt encode(String text, LongPromptMode mode, StageClock clock, ModelCalls calls) throws OrtException {
        List<TokenizedPrompt> chunks1 = tokenize(tokenizer1, text, mode);
        List<TokenizedPrompt> chunks2 = tokenize(tokenizer2, text, mode);
        if (chunks1.size() != chunks2.size()) {
            throw new IllegalStateException("the two tokenizers split the prompt into " + chunks1.size() + " and "
                    + chunks2.size() + " chunks; their vocabularies differ");
        }
        int chunks = chunks1.size();
        int window = chunks1.get(0).ids().length;
        float[] states1;
        float[] states2;
        float[] pooled;
        try (OnnxTensor ids1 = Tensors.ids(encoder1.input(SdxlSignature.IDS), concat(chunks1), new long[] {chunks, window});
             OnnxTensor ids2 = Tensors.ids(encoder2.input(SdxlSignature.IDS), concat(chunks2), new long[] {chunks, window})) {
            long[] start = clock.startOnnx();
            try (OrtSession.Result out = calls.run(ModelCalls.Role.TEXT_ENCODER, encoder1, Map.of(SdxlSignature.IDS, ids1),
                    Set.of(signature.layer1()))) {
                states1 = Tensors.toFloats((OnnxTensor) out.get(0));
            }
            try (OrtSession.Result out = calls.run(ModelCalls.Role.TEXT_ENCODER, encoder2, Map.of(SdxlSignature.IDS, ids2),
                    Set.of(signature.layer2(), SdxlSignature.POOLED))) {
                states2 = Tensors.toFloats((OnnxTensor) out.get(signature.layer2()).orElseThrow());
                pooled = Tensors.toFloats((OnnxTensor) out.get(SdxlSignature.POOLED).orElseThrow());
            }
            clock.endOnnx(start);
        }
        int positions = chunks * window;
        int width1 = states1.length / positions;
        int width2 = states2.length / positions;
        float[] states = new float[positions * (width1 + width2)];
        for (int p = 0; p < positions; p++) {
            System.arraycopy(states1, p * width1, states, p * (width1 + width2), width1);
            System.arraycopy(states2, p * width2, states, p * (width1 + width2) + width1, width2);
        }
        int pooledWidth = pooled.length / chunks;
        float[] firstPooled = new float[pooledWidth];
        System.arraycopy(pooled, 0, firstPooled, 0, pooledWidth);
        TokenizedPrompt first = chunks1.get(0);
        int tokens = 0;
        boolean truncated = false;
        for (TokenizedPrompt chunk : chunks1) {
            tokens += chunk.tokenCount();
            truncated |= chunk.truncated();
        }
        return new EncodedPrompt(new Conditioning(states, positions, width1 + width2, firstPooled),
                mode == LongPromptMode.TRUNCATE ? first.tokenCount() : tokens, truncated);
    }

    private static List<TokenizedPrompt> tokenize(ClipTokenizer tokenizer, String text, LongPromptMode mode) {
        return mode == LongPromptMode.CHUNK ? tokenizer.encodeChunks(text) : List.of(tokenizer.encode(text));
    }

    private static int[] concat(List<TokenizedPrompt> chunks) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        for (TokenizedPrompt chunk : chunks) {
            parts.add(chunk.ids());
            total += chunk.ids().length;
        }
        int[] all = new int[total];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
