package io.seedgrid.udf.image;

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
 * Prompts are untrusted text: line breaks in them become spaces, so that a prompt can never forge the
 * "Negative prompt:" line or the settings line that readers parse. Setting values with a comma, colon
 * or quote are written as JSON strings, as A1111 quotes them.
 */
public final class A1111Parameters {

    private A1111Parameters() {
    }

    /** The parameters text; {@code settings} in order ({@code Steps}, {@code Sampler}, …). */
    public static String format(String prompt, String negativePrompt, Map<String, String> settings) {
        StringBuilder text = new StringBuilder(oneLine(prompt));
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            text.append("\nNegative prompt: ").append(oneLine(negativePrompt));
        }
        StringJoiner line = new StringJoiner(", ");
        settings.forEach((key, value) -> line.add(oneLine(key) + ": " + quote(oneLine(value))));
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

    private static String oneLine(String text) {
        return text.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ');
    }

    private static String quote(String value) {
        if (value.indexOf(',') < 0 && value.indexOf(':') < 0 && value.indexOf('"') < 0) {
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
