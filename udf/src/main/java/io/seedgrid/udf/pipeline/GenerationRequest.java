package io.seedgrid.udf.pipeline;

/**
 * One prompt to render with one plan, at one size; the seeds come separately so that a batch of seeds
 * shares the prompt encoding and the UNet calls.
 */
public record GenerationRequest(String prompt, int width, int height, SamplingPlan plan, LongPromptMode longPrompt) {

    public GenerationRequest {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width and height must be positive multiples of 8, got " + width + "x" + height);
        }
        longPrompt = longPrompt == null ? LongPromptMode.TRUNCATE : longPrompt;
    }
}
