package io.seedgrid.udf.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads a CLIP tokenizer from disk: a Hugging Face tokenizer folder ({@code vocab.json} + {@code merges.txt},
 * with {@code tokenizer_config.json} / {@code special_tokens_map.json} when present) or OpenAI's original
 * {@code bpe_simple_vocab_16e6.txt.gz} (or a folder holding exactly one {@code .txt.gz}).
 */
final class ClipTokenizerFiles {

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    static final int DEFAULT_MAX_LENGTH = 77;
    /**
     * Merges CLIP uses from the original file: {@code merges[1:49152-256-2+1]} in openai/CLIP
     * simple_tokenizer.py, so that 256 bytes + 256 bytes with {@code </w>} + merges + 2 specials = 49,408 ids.
     */
    static final int ORIGINAL_MERGE_COUNT = 49152 - 256 - 2;
    /** tokenizer_config.json writes a huge model_max_length (1e30) when the model sets none. */
    private static final long UNSET_MAX_LENGTH_ABOVE = 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a tokenizer is made of. {@code padToken} is a vocabulary entry. */
    record Definition(BpeModel model, SpecialToken startOfText, SpecialToken endOfText, String padToken,
                      int maxLength, String source) {
    }

    private ClipTokenizerFiles() {
    }

    static Definition load(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("the CLIP tokenizer path is null");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("CLIP tokenizer path does not exist: " + path);
        }
        if (Files.isDirectory(path)) {
            return loadFolder(path);
        }
        if (path.getFileName().toString().endsWith(".gz")) {
            return loadOriginal(path);
        }
        throw new IllegalArgumentException("not a CLIP tokenizer: " + path + " is neither a folder (with vocab.json"
                + " and merges.txt) nor a .txt.gz merges file such as bpe_simple_vocab_16e6.txt.gz");
    }

    private static Definition loadFolder(Path folder) {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        boolean hasVocab = Files.isRegularFile(vocabFile);
        boolean hasMerges = Files.isRegularFile(mergesFile);
        if (hasVocab && hasMerges) {
            return loadHuggingFaceFolder(folder, vocabFile, mergesFile);
        }
        if (hasVocab || hasMerges) {
            throw new IllegalArgumentException("CLIP tokenizer folder " + folder + " has "
                    + (hasVocab ? "vocab.json but no merges.txt" : "merges.txt but no vocab.json"));
        }
        List<Path> archives;
        try (Stream<Path> files = Files.list(folder)) {
            archives = files.filter(p -> p.getFileName().toString().endsWith(".txt.gz") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list CLIP tokenizer folder " + folder + ": " + e.getMessage(), e);
        }
        if (archives.size() == 1) {
            return loadOriginal(archives.get(0));
        }
        if (archives.isEmpty()) {
            throw new IllegalArgumentException("CLIP tokenizer folder " + folder
                    + " has neither vocab.json + merges.txt nor a .txt.gz merges file (bpe_simple_vocab_16e6.txt.gz)");
        }
        throw new IllegalArgumentException("CLIP tokenizer folder " + folder + " has several .txt.gz files "
                + archives.stream().map(p -> p.getFileName().toString()).toList() + "; pass the one to use");
    }

    // ---- OpenAI's bpe_simple_vocab_16e6.txt.gz -------------------------------------------------------------

    /**
     * The vocabulary of openai/CLIP simple_tokenizer.py: byte symbols, the same with {@code </w>}, one entry
     * per merge (its concatenation), then the two specials. Specials as in CLIPTokenizerFast's tokenizer.json
     * for openai/clip-vit-large-patch14: {@code <|startoftext|>} matched after normalisation,
     * {@code <|endoftext|>} in the raw text. Pads with {@code <|endoftext|>}.
     */
    private static Definition loadOriginal(Path file) {
        List<String[]> merges = new ArrayList<>(ORIGINAL_MERGE_COUNT);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            if (reader.readLine() == null) {
                throw new IllegalArgumentException("CLIP merges file " + file + " is empty");
            }
            int lineNumber = 1;
            String line;
            while (merges.size() < ORIGINAL_MERGE_COUNT && (line = reader.readLine()) != null) {
                lineNumber++;
                merges.add(parseMerge(line, file, lineNumber));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read CLIP merges file " + file
                    + " (expected a gzip text file like bpe_simple_vocab_16e6.txt.gz): " + e.getMessage(), e);
        }
        if (merges.size() < ORIGINAL_MERGE_COUNT) {
            throw new IllegalArgumentException("CLIP merges file " + file + " has " + merges.size()
                    + " merges after its header; CLIP needs " + ORIGINAL_MERGE_COUNT);
        }
        List<String> tokens = new ArrayList<>(2 * 256 + merges.size() + 2);
        List<String> bytes = ByteLevelAlphabet.symbolsInVocabularyOrder();
        tokens.addAll(bytes);
        for (String symbol : bytes) {
            tokens.add(symbol + BpeModel.END_OF_WORD);
        }
        for (String[] merge : merges) {
            tokens.add(merge[0] + merge[1]);
        }
        tokens.add(START_OF_TEXT);
        tokens.add(END_OF_TEXT);
        Map<String, Integer> vocabulary = new HashMap<>(tokens.size() * 2);
        for (int id = 0; id < tokens.size(); id++) {
            vocabulary.put(tokens.get(id), id); // a repeated entry keeps its last id, like Python's dict(zip(...))
        }
        String source = file.toString();
        BpeModel model = new BpeModel(vocabulary, merges, END_OF_TEXT, source);
        return new Definition(model, special(model, START_OF_TEXT, true, source),
                special(model, END_OF_TEXT, false, source), END_OF_TEXT, DEFAULT_MAX_LENGTH, source);
    }

    private static String[] parseMerge(String line, Path file, int lineNumber) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("malformed merges file " + file + ": line " + lineNumber
                    + " must be two symbols separated by one space, got '" + line + "'");
        }
        return parts;
    }

    // ---- Hugging Face folder ----------------------------------------------------------------------------

    private static Definition loadHuggingFaceFolder(Path folder, Path vocabFile, Path mergesFile) {
        String source = folder.toString();
        Map<String, Integer> vocabulary = readVocabulary(vocabFile);
        List<String[]> merges = readMerges(mergesFile);
        JsonNode config = readOptionalJson(folder.resolve("tokenizer_config.json"));
        JsonNode specialMap = readOptionalJson(folder.resolve("special_tokens_map.json"));

        TokenSetting bos = tokenSetting("bos_token", config, specialMap, START_OF_TEXT, true);
        TokenSetting eos = tokenSetting("eos_token", config, specialMap, END_OF_TEXT, false);
        TokenSetting pad = tokenSetting("pad_token", config, specialMap, eos.content(), false);
        TokenSetting unk = tokenSetting("unk_token", config, specialMap, END_OF_TEXT, false);

        int maxLength = DEFAULT_MAX_LENGTH;
        JsonNode configured = config == null ? null : config.get("model_max_length");
        if (configured != null && configured.isNumber() && configured.asDouble() <= UNSET_MAX_LENGTH_ABOVE) {
            maxLength = configured.asInt();
            if (maxLength < 3) {
                throw new IllegalArgumentException(folder.resolve("tokenizer_config.json")
                        + ": model_max_length " + maxLength + " leaves no room for bos, a token and eos");
            }
        }
        BpeModel model = new BpeModel(vocabulary, merges, unk.content(), source);
        SpecialToken start = special(model, bos.content(), normalizedFlag(bos, config), source);
        SpecialToken end = special(model, eos.content(), normalizedFlag(eos, config), source);
        if (model.idOf(pad.content()) < 0) {
            throw new IllegalArgumentException(source + ": the pad token '" + pad.content()
                    + "' is not in vocab.json");
        }
        return new Definition(model, start, end, pad.content(), maxLength, source);
    }

    private static Map<String, Integer> readVocabulary(Path vocabFile) {
        JsonNode root = readJson(vocabFile);
        Map<String, Integer> vocabulary = new HashMap<>(root.size() * 2);
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!entry.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(vocabFile + ": the id of '" + entry.getKey()
                        + "' is not an integer: " + entry.getValue());
            }
            vocabulary.put(entry.getKey(), entry.getValue().intValue());
        }
        return vocabulary;
    }

    /** merges.txt as Hugging Face reads it: an optional "#version" header, then "left right" per line. */
    private static List<String[]> readMerges(Path mergesFile) {
        List<String[]> merges = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(mergesFile, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                merges.add(parseMerge(line, mergesFile, lineNumber));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + mergesFile + ": " + e.getMessage(), e);
        }
        return merges;
    }

    /** A special token named in the configs, and its entry there (null when the default is used). */
    private record TokenSetting(String content, JsonNode declaration, boolean defaultNormalized) {
    }

    /** tokenizer_config.json first, then special_tokens_map.json, then the CLIP default. */
    private static TokenSetting tokenSetting(String key, JsonNode config, JsonNode specialMap, String fallback,
                                             boolean fallbackNormalized) {
        for (JsonNode source : new JsonNode[] {config, specialMap}) {
            JsonNode node = source == null ? null : source.get(key);
            if (node != null && node.isTextual()) {
                return new TokenSetting(node.asText(), node, false);
            }
            if (node != null && node.isObject() && node.path("content").isTextual()) {
                return new TokenSetting(node.get("content").asText(), node, false);
            }
        }
        return new TokenSetting(fallback, null, fallbackNormalized);
    }

    /**
     * Whether CLIPTokenizerFast would match this special in normalised text: the flag of its entry in
     * tokenizer_config.json's added_tokens_decoder, else of its AddedToken object, else false for a plain
     * string (transformers adds special tokens given as strings with normalized=False).
     */
    private static boolean normalizedFlag(TokenSetting setting, JsonNode config) {
        JsonNode decoder = config == null ? null : config.get("added_tokens_decoder");
        if (decoder != null && decoder.isObject()) {
            for (JsonNode added : decoder) {
                if (setting.content().equals(added.path("content").asText(null))
                        && added.path("normalized").isBoolean()) {
                    return added.get("normalized").asBoolean();
                }
            }
        }
        if (setting.declaration() == null) {
            return setting.defaultNormalized();
        }
        return setting.declaration().isObject() && setting.declaration().path("normalized").asBoolean(false);
    }

    private static SpecialToken special(BpeModel model, String content, boolean normalized, String source) {
        int id = model.idOf(content);
        if (id < 0) {
            throw new IllegalArgumentException(source + ": the special token '" + content
                    + "' is not in the vocabulary");
        }
        return new SpecialToken(content, id, normalized);
    }

    private static JsonNode readOptionalJson(Path file) {
        return Files.isRegularFile(file) ? readJson(file) : null;
    }

    private static JsonNode readJson(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " must hold a JSON object");
        }
        return root;
    }
}
