package io.seedgrid.udf.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * JSON with object keys sorted at every depth and no whitespace: one text per value, so that hashes of
 * it (cell ids, config identities) do not depend on the order a form was built in.
 */
public final class CanonicalJson {

    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private CanonicalJson() {
    }

    public static String of(JsonNode node) {
        try {
            // Trees keep insertion order; as plain maps, the writer sorts their keys.
            return SORTED.writeValueAsString(SORTED.treeToValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
