package io.seedgrid.jobs.tune;

import io.seedgrid.jobs.config.ConfigException;
import io.seedgrid.jobs.config.ConfigNode;
import io.seedgrid.jobs.config.RecipeParser;
import io.seedgrid.udf.recipe.RecipeSpec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands {@code tune.space}: each entry is a recipe as in a run config's {@code recipes:} list in which any key
 * may hold alternatives instead of one value — a list ({@code base_steps: [1, 2, 3]}; for {@code timesteps}, a
 * list of lists) or a range ({@code alpha: {from: 0, to: 1, count: 11}}, or {@code step: 0.1}; whole numbers
 * step by 1 by default). Every combination of the alternatives is one candidate, read by {@link RecipeParser}
 * exactly as a run config's recipe is, so a candidate is an ordinary recipe.
 */
final class SearchSpace {

    /** Most candidates one tune may hold. */
    static final int MAX_CANDIDATES = 10_000;
    private static final int MAX_RANGE = 1000;
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private SearchSpace() {
    }

    static List<Candidate> expand(ConfigNode space, Set<String> models) {
        List<Candidate> out = new ArrayList<>();
        Set<String> families = new java.util.HashSet<>();
        List<ConfigNode> entries = space.list();
        if (entries.isEmpty()) {
            throw space.error("the search space is empty: list at least one recipe with values to search");
        }
        for (ConfigNode entry : entries) {
            if (!entry.isMap()) {
                throw entry.error("a search-space entry is a recipe (a mapping with name, kind and its keys)");
            }
            String kind = entry.require("kind").nonEmptyText();
            String family = entry.has("name") ? entry.get("name").nonEmptyText() : kind;
            if (!family.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,39}")) {
                throw (entry.has("name") ? entry.get("name") : entry).error("a family name is 1-40 letters, digits, '.',"
                        + " '_' or '-' (it starts the candidates' names), got '" + family + "'");
            }
            if (!families.add(family)) {
                throw entry.error("two search-space entries are called '" + family + "': give each a name");
            }
            Map<String, List<ConfigNode>> searched = new LinkedHashMap<>();
            entry.entries().forEach((key, value) -> {
                if (!key.equals("name") && !key.equals("kind")) {
                    List<ConfigNode> alternatives = alternatives(key, value);
                    if (alternatives != null) {
                        searched.put(key, alternatives);
                    }
                }
            });
            long combinations = 1;
            for (List<ConfigNode> a : searched.values()) {
                combinations *= a.size();
                if (out.size() + combinations > MAX_CANDIDATES) {
                    throw entry.error("the search space has more than " + MAX_CANDIDATES + " candidates");
                }
            }
            expand(entry, family, new ArrayList<>(searched.entrySet()), 0, new LinkedHashMap<>(), models, out);
        }
        return out;
    }

    private static void expand(ConfigNode entry, String family, List<Map.Entry<String, List<ConfigNode>>> searched, int k,
                               LinkedHashMap<String, ConfigNode> chosen, Set<String> models, List<Candidate> out) {
        if (k < searched.size()) {
            for (ConfigNode value : searched.get(k).getValue()) {
                chosen.put(searched.get(k).getKey(), value);
                expand(entry, family, searched, k + 1, chosen, models, out);
            }
            chosen.remove(searched.get(k).getKey());
            return;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        StringBuilder name = new StringBuilder(family);
        chosen.forEach((key, value) -> {
            String yaml = value.toFlowYaml();
            parameters.put(key, yaml);
            name.append('-').append(key).append(value.isList()
                    ? String.join("_", value.list().stream().map(ConfigNode::text).toList()) : value.text());
        });
        ConfigNode node = entry.withEntries(Map.of("name", entry.scalar(name.toString(), false)), chosen);
        String candidateName = name.toString();
        if (!candidateName.matches(NAME)) {
            // values that cannot be part of a name (or too long a name): the family and a hash of the values
            candidateName = family + "-" + TuneConfig.sha256(parameters.toString()).substring(0, 10);
            node = entry.withEntries(Map.of("name", entry.scalar(candidateName, false)), chosen);
        }
        RecipeSpec recipe;
        try {
            recipe = RecipeParser.parse(node, models);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (candidate " + candidateName + " of the search space)");
        }
        out.add(new Candidate(candidateName, family, parameters, recipe, node.toFlowYaml()));
    }

    /** The alternatives a key searches, or null when it holds one value. */
    private static List<ConfigNode> alternatives(String key, ConfigNode value) {
        if (value.isMap()) {
            return range(value);
        }
        if (!value.isList() || key.equals("phases")) {
            return null;
        }
        List<ConfigNode> items = value.list();
        if (key.equals("timesteps") && (items.isEmpty() || !items.get(0).isList())) {
            return null; // one explicit timeline; alternatives are a list of lists
        }
        if (items.isEmpty()) {
            throw value.error("an empty list of alternatives");
        }
        for (ConfigNode item : items) {
            if (item.isMap() || (item.isList() && !key.equals("timesteps"))) {
                throw item.error("an alternative is a single value" + (key.equals("timesteps") ? " or a list of timesteps"
                        : ""));
            }
        }
        return items;
    }

    /** {@code {from, to, count}} (evenly spaced, both ends included) or {@code {from, to, step}}. */
    private static List<ConfigNode> range(ConfigNode node) {
        node.allowOnly("from", "to", "count", "step");
        BigDecimal from = decimal(node.require("from"));
        BigDecimal to = decimal(node.require("to"));
        if (to.compareTo(from) < 0) {
            throw node.error("a range goes up: 'to' (" + to.toPlainString() + ") is below 'from' (" + from.toPlainString()
                    + ")");
        }
        if (node.has("count") && node.has("step")) {
            throw node.error("give a range either count or step, not both");
        }
        List<BigDecimal> values = new ArrayList<>();
        MathContext mc = MathContext.DECIMAL64;
        if (node.has("count")) {
            int count = node.get("count").integer();
            if (count < 1 || count > MAX_RANGE) {
                throw node.get("count").error("a range has 1 to " + MAX_RANGE + " values, got " + count);
            }
            if (count == 1 && from.compareTo(to) != 0) {
                throw node.get("count").error("one value cannot span from " + from.toPlainString() + " to "
                        + to.toPlainString());
            }
            for (int i = 0; i < count; i++) {
                values.add(count == 1 ? from : from.add(to.subtract(from).multiply(BigDecimal.valueOf(i))
                        .divide(BigDecimal.valueOf(count - 1), mc), mc));
            }
        } else {
            BigDecimal step;
            if (node.has("step")) {
                step = decimal(node.get("step"));
            } else if (isWhole(from) && isWhole(to)) {
                step = BigDecimal.ONE;
            } else {
                throw node.error("a range of fractions needs count or step");
            }
            if (step.signum() <= 0) {
                throw node.get("step").error("a range's step must be greater than 0");
            }
            for (BigDecimal v = from; v.compareTo(to) <= 0; v = v.add(step, mc)) {
                if (values.size() == MAX_RANGE) {
                    throw node.error("a range has at most " + MAX_RANGE + " values");
                }
                values.add(v);
            }
        }
        List<ConfigNode> out = new ArrayList<>();
        for (BigDecimal v : values) {
            out.add(node.scalar(plain(v), true));
        }
        return out;
    }

    private static BigDecimal decimal(ConfigNode node) {
        try {
            return new BigDecimal(node.text().trim());
        } catch (NumberFormatException e) {
            throw node.error("expected a number, got '" + node.text() + "'");
        }
    }

    private static boolean isWhole(BigDecimal v) {
        return v.stripTrailingZeros().scale() <= 0;
    }

    /** Shortest plain form: 0.3, not 0.30 or 3E-1; 2, not 2.0. */
    static String plain(BigDecimal v) {
        BigDecimal stripped = v.stripTrailingZeros();
        return stripped.signum() == 0 ? "0" : stripped.toPlainString();
    }
}
