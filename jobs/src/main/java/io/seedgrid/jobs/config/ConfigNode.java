package io.seedgrid.jobs.config;

import io.seedgrid.jobs.InputFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.DumperOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of a YAML config with its position, for strict reading: every accessor names the key path and
 * the line in its errors, and {@link #allowOnly} refuses unknown keys. Only plain YAML is read (no tags,
 * few aliases): SnakeYAML composes nodes and constructs no objects.
 */
public final class ConfigNode {

    private final Node node;
    private final String path;
    private final String file;
    /** Characters in the whole document (the root's; 0 on other nodes). */
    private final long documentChars;

    private ConfigNode(Node node, String path, String file) {
        this(node, path, file, 0);
    }

    private ConfigNode(Node node, String path, String file, long documentChars) {
        this.node = node;
        this.path = path;
        this.file = file;
        this.documentChars = documentChars;
    }

    /**
     * Parses one YAML document. The file must be UTF-8 and is read through a {@link Utf8Reader} that stops
     * at {@value Limits#MAX_CONFIG_CHARS} characters or a line longer than {@value Limits#MAX_SCALAR_CHARS}:
     * SnakeYAML's own code point limit is checked only between tokens, and its scanner slows with the square
     * of one token's length (a 50 MB scalar took minutes), so a long token is stopped by the reader instead.
     */
    public static ConfigNode parse(Path file) {
        String problem = InputFiles.fileProblem(file);
        if (problem != null) {
            throw new ConfigException("config file: " + problem);
        }
        try {
            return parse(Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + e.getMessage());
        }
    }

    /** Parses one YAML document from {@code in} (closed here); {@code file} names it in messages. */
    static ConfigNode parse(InputStream in, String file) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit((int) Limits.MAX_CONFIG_CHARS);
        Utf8Reader.Limits limits = new Utf8Reader.Limits(Limits.MAX_CONFIG_CHARS, Limits.MAX_SCALAR_CHARS,
                ", the most a config may hold (put long prompt lists in a prompt file)",
                ", the most a config line may hold (put long prompts in a prompt file)");
        try (Utf8Reader reader = new Utf8Reader(in, file, limits)) {
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                throw new ConfigException(file + ": the config is empty");
            }
            return new ConfigNode(root, "", file, reader.chars());
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(file + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + e.getMessage());
        }
    }

    /** Characters of the whole document this root was parsed from. */
    public long documentChars() {
        return documentChars;
    }

    /**
     * Refuses any single value (scalar) of this node and its children longer than {@code maxChars} characters,
     * naming its key and line.
     */
    public void checkScalars(long maxChars, String hint) {
        if (node instanceof ScalarNode scalar) {
            String value = scalar.getValue();
            long length = value.codePointCount(0, value.length());
            if (length > maxChars) {
                throw error(length + " characters in one value are over limits.scalar_chars = " + maxChars + hint);
            }
        } else if (node instanceof MappingNode) {
            for (ConfigNode child : entries().values()) {
                child.checkScalars(maxChars, hint);
            }
        } else if (node instanceof SequenceNode) {
            for (ConfigNode child : list()) {
                child.checkScalars(maxChars, hint);
            }
        }
    }

    /** 1-based line of this node. */
    public int line() {
        return node.getStartMark().getLine() + 1;
    }

    /** The dotted key path, e.g. {@code recipes[2].alpha}. */
    public String path() {
        return path.isEmpty() ? "(top level)" : path;
    }

    /** A ConfigException about this node: {@code file:line: path: message}. */
    public ConfigException error(String message) {
        return new ConfigException(file + ":" + line() + ": " + path() + ": " + message);
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** This mapping's entries, in file order. */
    public Map<String, ConfigNode> entries() {
        if (!(node instanceof MappingNode map)) {
            throw error("expected a mapping of keys to values");
        }
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw new ConfigNode(tuple.getKeyNode(), path, file).error("keys must be plain text");
            }
            String name = key.getValue();
            ConfigNode value = new ConfigNode(tuple.getValueNode(), path.isEmpty() ? name : path + "." + name, file);
            if (entries.putIfAbsent(name, value) != null) {
                // SnakeYAML checks duplicate keys when it constructs objects; composing nodes it does not.
                throw new ConfigException(file + ":" + (key.getStartMark().getLine() + 1) + ": key '" + value.path
                        + "' appears twice");
            }
        }
        return entries;
    }

    /** Refuses any key of this mapping that is not listed, naming it, its line and the keys allowed. */
    public ConfigNode allowOnly(String... keys) {
        Set<String> allowed = new TreeSet<>(Arrays.asList(keys));
        for (ConfigNode value : entries().values()) {
            String key = value.path.substring(value.path.lastIndexOf('.') + 1);
            if (!allowed.contains(key)) {
                throw new ConfigException(file + ":" + value.line() + ": unknown key '" + value.path + "' (allowed here: "
                        + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    /** The value of {@code key}, or null when absent. */
    public ConfigNode get(String key) {
        return entries().get(key);
    }

    /** The value of {@code key}; an error naming it when absent. */
    public ConfigNode require(String key) {
        ConfigNode value = get(key);
        if (value == null) {
            throw error("missing required key '" + key + "'");
        }
        return value;
    }

    public boolean has(String key) {
        return get(key) != null;
    }

    /** The elements of this list. */
    public List<ConfigNode> list() {
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list");
        }
        List<ConfigNode> items = new ArrayList<>();
        List<Node> values = seq.getValue();
        for (int i = 0; i < values.size(); i++) {
            items.add(new ConfigNode(values.get(i), path + "[" + i + "]", file));
        }
        return items;
    }

    /** This scalar as text. */
    public String text() {
        if (!(node instanceof ScalarNode scalar)) {
            throw error("expected a single value, not a " + (isList() ? "list" : "mapping"));
        }
        return scalar.getValue();
    }

    /** This scalar as a non-empty text. */
    public String nonEmptyText() {
        String text = text();
        if (text.isBlank()) {
            throw error("must not be empty");
        }
        return text;
    }

    public int integer() {
        try {
            return Integer.parseInt(text().trim());
        } catch (NumberFormatException e) {
            throw error("expected a whole number, got '" + text() + "'");
        }
    }

    public long longInteger() {
        try {
            return Long.parseLong(text().trim());
        } catch (NumberFormatException e) {
            throw error("expected a whole number, got '" + text() + "'");
        }
    }

    public double number() {
        String text = text().trim();
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw error("expected a finite number, got '" + text + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + text + "'");
        }
    }

    public boolean bool() {
        return switch (text().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("expected true or false, got '" + text() + "'");
        };
    }

    /** {@code key}'s text, or {@code fallback} when absent. */
    public String text(String key, String fallback) {
        ConfigNode value = get(key);
        return value == null ? fallback : value.text();
    }

    public int integer(String key, int fallback) {
        ConfigNode value = get(key);
        return value == null ? fallback : value.integer();
    }

    public double number(String key, double fallback) {
        ConfigNode value = get(key);
        return value == null ? fallback : value.number();
    }

    public boolean bool(String key, boolean fallback) {
        ConfigNode value = get(key);
        return value == null ? fallback : value.bool();
    }

    /**
     * A mapping with this mapping's entries, {@code first} entries ahead of them, and the values of
     * {@code replaced} keys swapped in place: what {@code seedgrid tune} makes of a search-space entry for one
     * candidate. Keys of {@code first} are left out where they follow. Errors about a swapped value still
     * point at the line of the value it came from.
     */
    public ConfigNode withEntries(Map<String, ConfigNode> first, Map<String, ConfigNode> replaced) {
        if (!(node instanceof MappingNode map)) {
            throw error("expected a mapping of keys to values");
        }
        List<NodeTuple> tuples = new ArrayList<>();
        first.forEach((key, value) -> tuples.add(new NodeTuple(plain(key, node), value.node)));
        for (NodeTuple tuple : map.getValue()) {
            String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            if (first.containsKey(key)) {
                continue;
            }
            ConfigNode swap = replaced.get(key);
            tuples.add(swap == null ? tuple : new NodeTuple(tuple.getKeyNode(), swap.node));
        }
        return new ConfigNode(new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.FLOW), path, file);
    }

    /**
     * A scalar holding {@code text} that stands where this node stands (its path and line in messages); a
     * number when {@code number}, else a string.
     */
    public ConfigNode scalar(String text, boolean number) {
        Tag tag = !number ? Tag.STR : text.matches("-?\\d+") ? Tag.INT : Tag.FLOAT;
        return new ConfigNode(new ScalarNode(tag, text, node.getStartMark(), node.getEndMark(),
                DumperOptions.ScalarStyle.PLAIN), path, file);
    }

    private static ScalarNode plain(String text, Node at) {
        return new ScalarNode(Tag.STR, text, at.getStartMark(), at.getEndMark(), DumperOptions.ScalarStyle.PLAIN);
    }

    /**
     * This node as one line of YAML in flow style ({@code {name: a, alpha: 0.3, timesteps: [999, 499]}}), which
     * reads back to the same values: numbers, booleans and plain words as written, any other text
     * double-quoted with escapes (a prompt can hold anything).
     */
    public String toFlowYaml() {
        StringBuilder out = new StringBuilder();
        flowYaml(node, out);
        return out.toString();
    }

    private static final ObjectMapper QUOTE = new ObjectMapper();

    private static void flowYaml(Node n, StringBuilder out) {
        if (n instanceof MappingNode map) {
            out.append('{');
            String sep = "";
            for (NodeTuple tuple : map.getValue()) {
                out.append(sep);
                flowYaml(tuple.getKeyNode(), out);
                out.append(": ");
                flowYaml(tuple.getValueNode(), out);
                sep = ", ";
            }
            out.append('}');
        } else if (n instanceof SequenceNode seq) {
            out.append('[');
            String sep = "";
            for (Node item : seq.getValue()) {
                out.append(sep);
                flowYaml(item, out);
                sep = ", ";
            }
            out.append(']');
        } else {
            ScalarNode scalar = (ScalarNode) n;
            String text = scalar.getValue();
            boolean typed = scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT)
                    || scalar.getTag().equals(Tag.BOOL);
            if (typed && scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN
                    || text.matches("[A-Za-z_][A-Za-z0-9_.-]*") && !text.matches("(?i)(true|false|yes|no|on|off|null|y|n)")) {
                out.append(text);
            } else {
                try {
                    out.append(QUOTE.writeValueAsString(text)); // a JSON string is a YAML double-quoted scalar
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The file this node came from. */
    public String file() {
        return file;
    }
}
