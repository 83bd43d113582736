package io.seedgrid.udf.tokenizer;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-pair encoding of one pre-token, as Hugging Face tokenizers' {@code BPE} model does it with
 * {@code end_of_word_suffix="</w>"} (models/bpe/model.rs, {@code merge_word}): the word starts as one
 * symbol per character, the last one carrying {@code </w>}; then, repeatedly, the adjacent pair with the
 * lowest merge rank (the leftmost one on a tie) is replaced by its merged symbol, until no adjacent pair
 * has a rank. A character missing from the vocabulary becomes the unknown token (one per character,
 * {@code fuse_unk=false}), or is dropped when the vocabulary has no unknown token, as there. This is the same
 * result as CLIP's {@code SimpleTokenizer.bpe}, which merges every occurrence of the best pair per pass.
 *
 * <p>Immutable and thread-safe.
 */
final class BpeModel {

    static final String END_OF_WORD = "</w>";

    private final Map<String, Integer> vocabulary;
    /** Merge rank keyed by {@link #pairKey}(left id, right id). */
    private final Map<Long, Integer> rankByPair;
    /** Id of the merged symbol, indexed by merge rank. */
    private final int[] mergedIdByRank;
    /** Id of the unknown token, or -1 when the model has none. */
    private final int unknownId;

    /**
     * @param vocabulary   token to id; kept (read-only), so the caller must not change it afterwards
     * @param merges       merge pairs in rank order (index = rank)
     * @param unknownToken token used for characters outside the vocabulary, or null for none
     * @param source       what the vocabulary was read from, for error messages
     */
    BpeModel(Map<String, Integer> vocabulary, List<String[]> merges, String unknownToken, String source) {
        this.vocabulary = Collections.unmodifiableMap(vocabulary);
        this.rankByPair = new HashMap<>(merges.size() * 2);
        this.mergedIdByRank = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            String left = merges.get(rank)[0];
            String right = merges.get(rank)[1];
            Integer leftId = vocabulary.get(left);
            Integer rightId = vocabulary.get(right);
            Integer mergedId = vocabulary.get(left + right);
            if (leftId == null || rightId == null || mergedId == null) {
                String missing = leftId == null ? left : rightId == null ? right : left + right;
                throw new IllegalArgumentException(source + ": merge " + (rank + 1) + " '" + left + " " + right
                        + "' needs the token '" + missing + "', which is not in the vocabulary");
            }
            // A repeated pair keeps its last rank, as a Python dict and Hugging Face's merge map both do.
            rankByPair.put(pairKey(leftId, rightId), rank);
            mergedIdByRank[rank] = mergedId;
        }
        Integer unk = unknownToken == null ? null : vocabulary.get(unknownToken);
        this.unknownId = unk == null ? -1 : unk;
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    int vocabularySize() {
        return vocabulary.size();
    }

    /** The id of {@code token}, or -1 when the vocabulary lacks it. */
    int idOf(String token) {
        Integer id = vocabulary.get(token);
        return id == null ? -1 : id;
    }

    /** Token ids of one pre-token already spelled in the byte-level alphabet (non-empty). */
    int[] encodeWord(String byteLevelWord) {
        int length = byteLevelWord.length();
        int[] symbols = new int[length];
        int n = 0;
        for (int i = 0; i < length; i++) {
            String symbol = String.valueOf(byteLevelWord.charAt(i));
            Integer id = vocabulary.get(i == length - 1 ? symbol + END_OF_WORD : symbol);
            if (id != null) {
                symbols[n++] = id;
            } else if (unknownId >= 0) {
                symbols[n++] = unknownId;
            }
        }
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestPosition = -1;
            for (int i = 0; i + 1 < n; i++) {
                Integer rank = rankByPair.get(pairKey(symbols[i], symbols[i + 1]));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestPosition = i;
                }
            }
            if (bestPosition < 0) {
                break;
            }
            symbols[bestPosition] = mergedIdByRank[bestRank];
            System.arraycopy(symbols, bestPosition + 2, symbols, bestPosition + 1, n - bestPosition - 2);
            n--;
        }
        return n == symbols.length ? symbols : Arrays.copyOf(symbols, n);
    }
}
