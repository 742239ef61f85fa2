package dev.durablestreams.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Actions allowed on every stream whose path (after {@code /v1/stream/}) starts with {@code prefix}; the empty
 * prefix covers all streams. Matching is a plain string prefix, so {@code "app/"} covers {@code app/x} but not
 * {@code app} or {@code apps/x}.
 */
public record Grant(String prefix, Set<Action> actions) {

    public Grant {
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    /** True when this grant permits {@code action} on {@code path}. */
    public boolean allows(String path, Action action) {
        return path.startsWith(prefix) && (actions.contains(action) || actions.contains(Action.ADMIN));
    }

    /** Parses {@code [{prefix, actions: [...]}, ...]}, the shape of both configured grants and token claims. */
    static List<Grant> listOf(JsonNode node, String where) {
        List<Grant> grants = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) return grants;
        if (!node.isArray()) throw new IllegalArgumentException(where + " must be a list of {prefix, actions}");
        for (JsonNode g : node) {
            JsonNode prefix = g.get("prefix");
            JsonNode actions = g.get("actions");
            if (prefix == null || !prefix.isTextual() || actions == null || !actions.isArray()) {
                throw new IllegalArgumentException(where + ": each grant needs a text prefix and a list of actions");
            }
            EnumSet<Action> set = EnumSet.noneOf(Action.class);
            for (JsonNode a : actions) set.add(Action.parse(a.asText()));
            grants.add(new Grant(prefix.asText(), set));
        }
        return grants;
    }
}
