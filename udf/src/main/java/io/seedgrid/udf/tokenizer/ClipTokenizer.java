package io.seedgrid.udf.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * CLIP's byte-level BPE tokenizer, giving the ids Hugging Face's CLIPTokenizerFast gives (tokenizers' Rust
 * pipeline: NFC, whitespace runs to one space, lowercase; CLIP's word regex; GPT-2's byte-to-unicode
 * alphabet; BPE with {@code </w>}; bos + tokens + eos; truncation to {@code maxLength} keeping eos; padding).
 *
 * <p>Load it from a Hugging Face tokenizer folder (an SDXL model's {@code tokenizer/} or {@code tokenizer_2/})
 * or from OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}. SDXL's first tokenizer pads with
 * {@code <|endoftext|>} (49407), the second with {@code !} (id 0): a folder's config says which, and
 * {@link #withPadToken} overrides it.
 *
 * <p>Text is taken literally: there is no prompt-weight syntax such as ComfyUI's {@code (word:1.2)};
 * parentheses and colons are ordinary punctuation. Unlike transformers' tokenizer for SDXL's
 * {@code tokenizer_2} (diffusers issue #4153), a {@code !} in the prompt is ordinary text even when it is
 * the pad token, as in open_clip, which SDXL's second text encoder was trained with.
 *
 * <p>Special tokens are found where CLIPTokenizerFast finds them: {@code <|endoftext|>} in the raw prompt,
 * case-sensitively, {@code <|startoftext|>} in the normalised one (a folder's config can say otherwise, with
 * its tokens' {@code normalized} flags). transformers' slow CLIPTokenizer and openai/CLIP differ from this (and
 * from the fast tokenizer) in a few corners: they first run ftfy's {@code fix_text} and {@code html.unescape}
 * (mojibake repair, {@code &amp;} to {@code &}, ...), they read a special token written in any letter case as
 * that token, and without ftfy the slow tokenizer cuts CJK ideographs into one word each.
 *
 * <p>Immutable and thread-safe; BPE results are cached per word (bounded) and shared by all threads and
 * by the tokenizers {@link #withPadToken} derives.
 */
public final class ClipTokenizer {

    /** Words whose BPE result is kept; far more than the distinct words of a large prompt set. */
    static final int WORD_CACHE_CAPACITY = 50_000;

    private final BpeModel model;
    private final SpecialToken startOfText;
    private final SpecialToken endOfText;
    private final SpecialTokenSplitter rawSpecials;
    private final SpecialTokenSplitter normalizedSpecials;
    private final int bosId;
    private final int eosId;
    private final String padToken;
    private final int padId;
    private final int maxLength;
    private final String source;
    private final BoundedWordCache wordCache;

    private ClipTokenizer(BpeModel model, SpecialToken startOfText, SpecialToken endOfText, String padToken,
                          int maxLength, String source, BoundedWordCache wordCache) {
        this.model = model;
        this.startOfText = startOfText;
        this.endOfText = endOfText;
        List<SpecialToken> specials = List.of(startOfText, endOfText);
        this.rawSpecials = new SpecialTokenSplitter(specials.stream().filter(t -> !t.normalized()).toList());
        this.normalizedSpecials = new SpecialTokenSplitter(specials.stream().filter(SpecialToken::normalized).toList());
        this.bosId = startOfText.id();
        this.eosId = endOfText.id();
        this.padToken = padToken;
        this.padId = model.idOf(padToken);
        if (padId < 0) {
            throw new IllegalArgumentException("the pad token '" + padToken + "' is not in the vocabulary of "
                    + source);
        }
        this.maxLength = maxLength;
        this.source = source;
        this.wordCache = wordCache;
    }

    /**
     * Loads a tokenizer from a Hugging Face tokenizer folder ({@code vocab.json} + {@code merges.txt}; pad
     * token, specials and {@code model_max_length} from {@code tokenizer_config.json} /
     * {@code special_tokens_map.json} when present) or from {@code bpe_simple_vocab_16e6.txt.gz} (or a folder
     * holding just that file), which gives 49,408 ids, pads with {@code <|endoftext|>} and has length 77.
     *
     * @throws IllegalArgumentException naming the path and the problem when it is missing or malformed
     */
    public static ClipTokenizer load(Path folderOrTxtGz) {
        ClipTokenizerFiles.Definition definition = ClipTokenizerFiles.load(folderOrTxtGz);
        return new ClipTokenizer(definition.model(), definition.startOfText(), definition.endOfText(),
                definition.padToken(), definition.maxLength(), definition.source(),
                new BoundedWordCache(WORD_CACHE_CAPACITY));
    }

    /** This tokenizer padding with {@code padToken} (a vocabulary entry, e.g. "!" for SDXL's tokenizer_2). */
    public ClipTokenizer withPadToken(String padToken) {
        Objects.requireNonNull(padToken, "padToken");
        return new ClipTokenizer(model, startOfText, endOfText, padToken, maxLength, source, wordCache);
    }

    /**
     * bos + the prompt's tokens + eos, padded to {@link #maxLength()}; a prompt of more than
     * {@code maxLength - 2} tokens keeps its first {@code maxLength - 2} and eos, and reports truncated.
     */
    public TokenizedPrompt encode(String text) {
        int[] tokens = tokenIds(text);
        int capacity = maxLength - 2;
        int kept = Math.min(tokens.length, capacity);
        return new TokenizedPrompt(wrap(tokens, kept), tokens.length, tokens.length > capacity);
    }

    /**
     * A long prompt as several rows of {@link #maxLength()} ids (for concatenating their embeddings, as
     * ComfyUI and A1111 do), with ComfyUI's chunk rule: chunks of up to {@code maxLength - 2} tokens, words
     * (runs between spaces and newlines) kept whole unless they have 8 tokens or more. Each chunk is
     * bos + tokens + eos + padding; nothing is truncated. An empty prompt gives one row.
     */
    public List<TokenizedPrompt> encodeChunks(String text) {
        Objects.requireNonNull(text, "text");
        List<int[]> words = new ArrayList<>();
        for (String word : text.replace('\n', ' ').split(" ")) {
            if (!word.isEmpty()) {
                words.add(tokenIds(word));
            }
        }
        List<TokenizedPrompt> rows = new ArrayList<>();
        for (int[] chunk : PromptChunker.chunk(words, maxLength - 2)) {
            rows.add(new TokenizedPrompt(wrap(chunk, chunk.length), chunk.length, false));
        }
        return List.copyOf(rows);
    }

    /** The prompt's BPE token ids, without bos, eos or padding, and untruncated. */
    public int[] tokenIds(String text) {
        Objects.requireNonNull(text, "text");
        IntList out = new IntList();
        // Hugging Face's AddedVocabulary order: specials matched in the raw text first, then each stretch
        // between them is normalised and searched for the specials matched in normalised text.
        rawSpecials.split(text,
                segment -> normalizedSpecials.split(ClipNormalizer.normalize(segment),
                        piece -> appendWords(piece, out), out::add),
                out::add);
        return out.toArray();
    }

    private void appendWords(String normalizedText, IntList out) {
        for (String word : ClipPreTokenizer.split(normalizedText)) {
            out.addAll(wordCache.get(word, w -> model.encodeWord(ByteLevelAlphabet.encode(w))));
        }
    }

    private int[] wrap(int[] tokens, int count) {
        int[] ids = new int[maxLength];
        ids[0] = bosId;
        System.arraycopy(tokens, 0, ids, 1, count);
        ids[count + 1] = eosId;
        Arrays.fill(ids, count + 2, maxLength, padId);
        return ids;
    }

    /** Total ids per row: bos + up to {@code maxLength - 2} tokens + eos, padded (77 for CLIP). */
    public int maxLength() {
        return maxLength;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public String padToken() {
        return padToken;
    }

    /** Number of vocabulary entries (49,408 for CLIP). */
    public int vocabSize() {
        return model.vocabularySize();
    }

    @Override
    public String toString() {
        return "ClipTokenizer[" + source + ", vocab=" + vocabSize() + ", maxLength=" + maxLength
                + ", pad='" + padToken + "' (" + padId + ")]";
    }

    /** A growable int array, to collect ids without boxing. */
    private static final class IntList {
        private int[] values = new int[32];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(int[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
