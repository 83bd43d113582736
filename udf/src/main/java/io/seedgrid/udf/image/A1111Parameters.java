package io.seedgrid.udf.image;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code parameters} text A1111's WebUI writes into its PNGs, which PNG-info readers (A1111,
 * ComfyUI loaders, civitai, stable-diffusion-webui's "PNG Info" tab) parse:
 * <pre>
 * a red cube on a blue floor
 * Negative prompt: blurry
 * Steps: 20, Sampler: Euler, Schedule type: Normal, CFG scale: 5, Seed: 42, Size: 1024x1024, Model hash: 31e35c80fc, Model: sdxl-base
 * </pre>
 * Readers parse it as A1111's {@code parse_generation_parameters} (modules/infotext_utils.py) does: the
 * last line is the settings line, every line before it belongs to the prompt until a line that starts
 * with {@code Negative prompt:}, which starts the negative prompt. Prompts keep their line breaks, as
 * A1111 writes them ({@code \r\n} and {@code \r} become {@code \n}, what its parser splits on). Prompts
 * are untrusted text, and none can forge a field: a prompt line that starts with {@code Negative prompt:}
 * is written with that marker in lower case ({@code negative prompt:}), which A1111's case-sensitive test
 * does not take for the marker and which the SDXL tokenizers (they lowercase) read as the same tokens; so a
 * prompt beginning with the marker is never read back as an empty prompt. The settings line is always
 * written last, so no prompt line can stand in for it. Setting values with a comma, colon or quote, and any
 * line break, are written as JSON strings, as A1111 quotes them.
 */
public final class A1111Parameters {

    private A1111Parameters() {
    }

    /** The parameters text; {@code settings} in order ({@code Steps}, {@code Sampler}, …). */
    public static String format(String prompt, String negativePrompt, Map<String, String> settings) {
        StringBuilder text = new StringBuilder(unforgeable(prompt));
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            text.append('\n').append(NEGATIVE_MARKER).append(' ').append(unforgeable(negativePrompt));
        }
        StringJoiner line = new StringJoiner(", ");
        settings.forEach((key, value) -> line.add(oneLine(key) + ": " + quote(value)));
        if (line.length() > 0) {
            text.append('\n').append(line);
        }
        return text.toString();
    }

    /** A1111's display name of a ComfyUI sampler name (its own name when it has none). */
    public static String samplerName(String comfyName) {
        return switch (comfyName) {
            case "euler" -> "Euler";
            case "euler_ancestral" -> "Euler a";
            case "dpmpp_2m" -> "DPM++ 2M";
            case "ddim" -> "DDIM";
            case "lcm" -> "LCM";
            default -> comfyName;
        };
    }

    /** A1111's marker of the negative prompt's first line (infotext_utils.py: {@code line.startswith("Negative prompt:")}). */
    public static final String NEGATIVE_MARKER = "Negative prompt:";

    /** The prompt with A1111's line breaks, every line that would start the negative prompt defused. */
    static String unforgeable(String prompt) {
        String[] lines = prompt.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        StringJoiner text = new StringJoiner("\n");
        for (String line : lines) {
            String stripped = line.strip();  // A1111 strips each line before its test
            if (stripped.startsWith(NEGATIVE_MARKER)) {
                int at = line.indexOf(NEGATIVE_MARKER);
                line = line.substring(0, at) + NEGATIVE_MARKER.toLowerCase(Locale.ROOT) + line.substring(at + NEGATIVE_MARKER.length());
            }
            text.add(line);
        }
        return text.toString();
    }

    private static String oneLine(String text) {
        return text.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ');
    }

    private static String quote(String value) {
        if (value.indexOf(',') < 0 && value.indexOf(':') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0
                && value.indexOf('\r') < 0) {
            return value;
        }
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
