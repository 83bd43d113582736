package io.seedgrid.udf.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The reference: Hugging Face's Rust {@code tokenizers} (through DJL's JNI binding, whose jar carries the
 * native library) running a {@code tokenizer.json} laid out as CLIPTokenizerFast's for
 * openai/clip-vit-large-patch14 (transformers' convert_slow_tokenizer.py, CLIPConverter): normalizer
 * NFC + Replace(\s+ -> " ") + Lowercase; pre-tokenizer Split(CLIP regex, Removed, invert) + ByteLevel;
 * BPE with {@code </w>}, unk {@code <|endoftext|>}; RobertaProcessing(bos, eos). Padding and truncation are
 * set in the JSON as transformers sets them for {@code padding="max_length", truncation=True}.
 *
 * <p>The vocabulary is built here, independently of the code under test, the way openai/CLIP's
 * simple_tokenizer.py builds it from bpe_simple_vocab_16e6.txt.gz. Nothing is downloaded: DJL runs offline
 * and unpacks its native library under target/.
 */
final class HuggingFaceReference implements AutoCloseable {

    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CLIP_REGEX =
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

    /** What a CLIP tokenizer.json is made of. */
    record Layout(Map<String, Integer> vocab, List<String> merges, String bos, boolean bosNormalized,
                  String eos, boolean eosNormalized, String unk) {
    }

    private static Layout openAiClip;

    private final Layout layout;
    private final int maxLength;
    private final boolean byteLevelUseRegex;
    private final HuggingFaceTokenizer padded;
    /** Made on first use: without truncation or padding, for the bare token ids. */
    private HuggingFaceTokenizer plain;

    /**
     * @param padToken          the token padding fills with
     * @param maxLength         total length incl. bos and eos
     * @param byteLevelUseRegex ByteLevel's {@code use_regex}: true is CLIPConverter's (it leaves the default)
     */
    HuggingFaceReference(Layout layout, String padToken, int maxLength, boolean byteLevelUseRegex) {
        this.layout = layout;
        this.maxLength = maxLength;
        this.byteLevelUseRegex = byteLevelUseRegex;
        Map<String, String> options = Map.of("truncation", "true", "maxLength", Integer.toString(maxLength),
                "padding", "max_length");
        padded = newTokenizer(tokenizerJson(layout, padToken, maxLength, byteLevelUseRegex), options);
    }

    private static HuggingFaceTokenizer newTokenizer(String json, Map<String, String> options) {
        try {
            return HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** bos + tokens + eos, truncated and padded to maxLength. */
    int[] encode(String text) {
        return toInts(padded.encode(text).getIds());
    }

    boolean truncated(String text) {
        return padded.encode(text, true, false).exceedMaxLength();
    }

    /** The BPE ids alone: no bos, eos, truncation or padding. */
    synchronized int[] tokens(String text) {
        if (plain == null) {
            plain = newTokenizer(tokenizerJson(layout, null, maxLength, byteLevelUseRegex), Map.of());
        }
        return toInts(plain.encode(text, false, false).getIds());
    }

    @Override
    public synchronized void close() {
        padded.close();
        if (plain != null) {
            plain.close();
        }
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    // ---- the files ---------------------------------------------------------------------------------------

    /** openai/CLIP's merges file, at ${seedgrid.repo}/../shared/clip (fails, never skips, when absent). */
    static Path originalMergesFile() {
        String repo = System.getProperty("seedgrid.repo");
        if (repo == null) {
            throw new IllegalStateException("system property seedgrid.repo is not set; run the tests with Maven"
                    + " (surefire sets it to the repository root)");
        }
        Path file = Path.of(repo).resolve("../shared/clip/bpe_simple_vocab_16e6.txt.gz").normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the real CLIP merges list is missing: " + file
                    + " (expected shared/clip/bpe_simple_vocab_16e6.txt.gz beside the repository)");
        }
        return file;
    }

    /**
     * The layout of CLIPTokenizerFast for openai/clip-vit-large-patch14, vocabulary as simple_tokenizer.py
     * builds it: bytes_to_unicode() values, the same + "</w>", merges[1:49152-256-2+1] joined, the specials.
     */
    static synchronized Layout openAiClip() {
        if (openAiClip == null) {
            openAiClip = readOpenAiClip();
        }
        return openAiClip;
    }

    private static Layout readOpenAiClip() {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(originalMergesFile())), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> merges = lines.subList(1, 49152 - 256 - 2 + 1);
        // bytes_to_unicode(): bs = printable ranges, then every other byte b gets chr(256 + n).
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        List<String> vocab = new ArrayList<>();
        for (int c : cs) vocab.add(String.valueOf((char) c));
        for (int c : cs) vocab.add((char) c + "</w>");
        for (String merge : merges) vocab.add(merge.replace(" ", ""));
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        ids = Collections.unmodifiableMap(ids);
        // Hub tokenizer.json: <|startoftext|> normalized, <|endoftext|> not.
        return new Layout(ids, List.copyOf(merges), "<|startoftext|>", true, "<|endoftext|>", false,
                "<|endoftext|>");
    }

    /** A Hugging Face folder's vocab.json and merges.txt, with the given special-token flags. */
    static Layout folder(Path folder, boolean bosNormalized, boolean eosNormalized) {
        try {
            Map<String, Integer> vocab = new LinkedHashMap<>();
            JSON.readTree(folder.resolve("vocab.json").toFile()).properties()
                    .forEach(e -> vocab.put(e.getKey(), e.getValue().intValue()));
            List<String> merges = Files.readAllLines(folder.resolve("merges.txt"), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.startsWith("#version") && !l.isBlank()).toList();
            return new Layout(vocab, merges, "<|startoftext|>", bosNormalized, "<|endoftext|>", eosNormalized,
                    "<|endoftext|>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tokenizerJson(Layout layout, String padToken, int maxLength, boolean byteLevelUseRegex) {
        int bosId = layout.vocab().get(layout.bos());
        int eosId = layout.vocab().get(layout.eos());
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        if (padToken == null) {
            root.putNull("truncation");
            root.putNull("padding");
        } else {
            ObjectNode truncation = root.putObject("truncation");
            truncation.put("direction", "Right");
            truncation.put("max_length", maxLength);
            truncation.put("strategy", "LongestFirst");
            truncation.put("stride", 0);
            ObjectNode padding = root.putObject("padding");
            padding.putObject("strategy").put("Fixed", maxLength);
            padding.put("direction", "Right");
            padding.putNull("pad_to_multiple_of");
            padding.put("pad_id", layout.vocab().get(padToken));
            padding.put("pad_type_id", 0);
            padding.put("pad_token", padToken);
        }
        ArrayNode added = root.putArray("added_tokens");
        addedToken(added, bosId, layout.bos(), layout.bosNormalized());
        addedToken(added, eosId, layout.eos(), layout.eosNormalized());

        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        normalizers.addObject().put("type", "NFC");
        ObjectNode replace = normalizers.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("Regex", "\\s+");
        replace.put("content", " ");
        normalizers.addObject().put("type", "Lowercase");

        ObjectNode preTokenizer = root.putObject("pre_tokenizer");
        preTokenizer.put("type", "Sequence");
        ArrayNode preTokenizers = preTokenizer.putArray("pretokenizers");
        ObjectNode split = preTokenizers.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", CLIP_REGEX);
        split.put("behavior", "Removed");
        split.put("invert", true);
        ObjectNode byteLevel = preTokenizers.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", byteLevelUseRegex);

        ObjectNode post = root.putObject("post_processor");
        post.put("type", "RobertaProcessing");
        post.putArray("sep").add(layout.eos()).add(eosId);
        post.putArray("cls").add(layout.bos()).add(bosId);
        post.put("trim_offsets", false);
        post.put("add_prefix_space", false);

        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", layout.unk());
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "</w>");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        layout.vocab().forEach(vocab::put);
        ArrayNode merges = model.putArray("merges");
        layout.merges().forEach(merges::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addedToken(ArrayNode added, int id, String content, boolean normalized) {
        ObjectNode token = added.addObject();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", normalized);
        token.put("special", true);
    }
}
