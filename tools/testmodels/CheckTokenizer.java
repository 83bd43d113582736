import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Verification tool: tokenizes the texts of make_tiny_sdxl.py's fast-tokenizer/expected.tsv with
 * Hugging Face tokenizers (through DJL) over a tokenizer.json built from our vocab.json and
 * merges.txt, and compares with the ids of our Python BPE. Run by regenerate.sh --check.
 */
public class CheckTokenizer {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean failed = false;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
            for (String line : Files.readAllLines(dir.resolve("expected.tsv"))) {
                String[] f = line.split("\t", -1);
                long[] want = Arrays.stream(f[1].split(" ")).mapToLong(Long::parseLong).toArray();
                Encoding e = tok.encode(f[0]);
                boolean ok = Arrays.equals(e.getIds(), want);
                failed |= !ok;
                System.out.printf("%-4s %-30s %s%s%n", ok ? "ok" : "FAIL", "\"" + f[0] + "\"", Arrays.toString(e.getIds()),
                        ok ? "" : " expected " + Arrays.toString(want));
            }
        }
        System.out.println(failed ? "FAILED" : "ALL OK");
        System.exit(failed ? 1 : 0);
    }
}
