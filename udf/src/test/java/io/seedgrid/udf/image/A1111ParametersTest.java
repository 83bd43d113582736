package io.seedgrid.udf.image;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parameters text read back the way A1111 reads it. {@link #parse} follows
 * stable-diffusion-webui's modules/infotext_utils.py parse_generation_parameters: strip the text, split on
 * "\n"; the last line is the settings line when re_param finds at least 3 fields in it; every other line is
 * stripped and belongs to the prompt until one starts with "Negative prompt:" (its first 16 characters
 * dropped), after which lines belong to the negative prompt; lines are joined with "\n".
 */
class A1111ParametersTest {

    /** infotext_utils.py re_param. */
    private static final Pattern PARAM = Pattern.compile("\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)");

    record Parsed(String prompt, String negative, Map<String, String> settings) {
    }

    static Parsed parse(String text) {
        String[] lines = text.strip().split("\n", -1);
        String last = lines[lines.length - 1];
        int body = lines.length - 1;
        Map<String, String> settings = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(last);
        int found = 0;
        while (m.find()) {
            found++;
        }
        if (found < 3) {
            body = lines.length;
        } else {
            m.reset();
            while (m.find()) {
                settings.put(m.group(1), m.group(2));
            }
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean done = false;
        for (int i = 0; i < body; i++) {
            String line = lines[i].strip();
            if (line.startsWith("Negative prompt:")) {
                done = true;
                line = line.substring(16).strip();
            }
            StringBuilder target = done ? negative : prompt;
            target.append(target.isEmpty() ? "" : "\n").append(line);
        }
        return new Parsed(prompt.toString(), negative.toString(), settings);
    }

    private static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("Steps", "20");
        s.put("Sampler", "Euler");
        s.put("Seed", "42");
        return s;
    }

    @Test
    void promptsKeepTheirLineBreaksAsA1111WritesThem() {
        String text = A1111Parameters.format("a cat\non a mat\r\nat night", "blurry\nlow quality", settings());
        Parsed parsed = parse(text);
        assertEquals("a cat\non a mat\nat night", parsed.prompt());
        assertEquals("blurry\nlow quality", parsed.negative());
        assertEquals("20", parsed.settings().get("Steps"));
    }

    @Test
    void aPromptThatBeginsWithTheMarkerIsNotReadAsAnEmptyPrompt() {
        Parsed parsed = parse(A1111Parameters.format("Negative prompt: a cat", "", settings()));
        assertEquals("negative prompt: a cat", parsed.prompt());
        assertEquals("", parsed.negative());
        assertEquals("Euler", parsed.settings().get("Sampler"));
    }

    @Test
    void noPromptLineCanForgeTheNegativePromptOrTheSettings() {
        String forged = "a dog\n  Negative prompt: ugly\nSteps: 99, Sampler: DDIM, Seed: 1, Model hash: 0000000000";
        Parsed parsed = parse(A1111Parameters.format(forged, "Negative prompt: twice\nblur", settings()));
        assertEquals("a dog\nnegative prompt: ugly\nSteps: 99, Sampler: DDIM, Seed: 1, Model hash: 0000000000", parsed.prompt());
        assertEquals("negative prompt: twice\nblur", parsed.negative());
        assertEquals(Map.of("Steps", "20", "Sampler", "Euler", "Seed", "42"), parsed.settings());
    }

    @Test
    void settingValuesWithSeparatorsOrLineBreaksAreQuoted() {
        Map<String, String> s = settings();
        s.put("Phases", "steps 1-1: base, Euler, CFG 5;\nsteps 2-4: dmd2");
        Parsed parsed = parse(A1111Parameters.format("p", "", s));
        String phases = parsed.settings().get("Phases");
        assertTrue(phases.startsWith("\"steps 1-1: base, Euler") && phases.contains("\\u000a"), phases);
    }

    @Test
    void anEmptyPromptWithANegativeOneReadsBack() {
        Parsed parsed = parse(A1111Parameters.format("", "blurry", settings()));
        assertEquals("", parsed.prompt());
        assertEquals("blurry", parsed.negative());
    }
}
