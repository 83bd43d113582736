package io.seedgrid.jobs.report;

/**
 * HTML escaping for untrusted text (prompts, negative prompts, messages, recipe and model names, ...).
 * The five characters that can end a text node or a quoted attribute value are replaced by character
 * references, so one escape is safe in element content and in single- or double-quoted attributes
 * (OWASP XSS prevention cheat sheet, rules 1 and 2). Control characters other than tab, line feed and
 * carriage return, which HTML does not allow in text, become U+FFFD.
 */
final class Html {

    private Html() {
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
