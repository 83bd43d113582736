package io.seedgrid.jobs.cli;

import io.seedgrid.jobs.inspect.TokenReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code seedgrid inspect tokens --tokenizer PATH PROMPT}. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "The 77 ids both SDXL tokenizers give a prompt, as JSON {\"tokenizer\": [...], \"tokenizer_2\": [...],"
                + " \"truncated\": bool, \"tokens\": n}.")
final class InspectTokensCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true,
            description = "a model directory (tokenizer/ and tokenizer_2/), a tokenizer folder, or CLIP's bpe_simple_vocab_16e6.txt.gz")
    Path tokenizer;

    @Parameters(paramLabel = "PROMPT", description = "the prompt")
    String prompt;

    @Override
    public Integer call() {
        System.out.println(TokenReport.of(tokenizer, prompt).json());
        return 0;
    }
}
