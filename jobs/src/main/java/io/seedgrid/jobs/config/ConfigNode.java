package io.seedgrid.jobs.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
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

    private ConfigNode(Node node, String path, String file) {
        this.node = node;
        this.path = path;
        this.file = file;
    }

    /** Parses one YAML document. */
    public static ConfigNode parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file not found: " + file);
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(16 * 1024 * 1024);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                throw new ConfigException(file + ": the config is empty");
            }
            return new ConfigNode(root, "", file.toString());
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(file + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + e.getMessage());
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

    /** The file this node came from. */
    public String file() {
        return file;
    }
}
