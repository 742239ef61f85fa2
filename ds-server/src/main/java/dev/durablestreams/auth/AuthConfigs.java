package dev.durablestreams.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading configuration sections (Jackson trees): strict keys, durations, string lists. */
public final class AuthConfigs {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private AuthConfigs() {}

    /** Refuses keys outside {@code allowed}, so a misspelt setting fails at start rather than being ignored. */
    public static void onlyKeys(JsonNode node, Set<String> allowed, String where) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(where + " must be a mapping");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown setting " + where + "." + k + " (known: " + allowed + ")");
            }
        }
    }

    /** A duration as seconds (a number) or text such as {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}. */
    public static Duration duration(JsonNode node, Duration fallback, String where) {
        if (node == null || node.isMissingNode() || node.isNull()) return fallback;
        if (node.isNumber()) return Duration.ofMillis(Math.round(node.asDouble() * 1000));
        Matcher m = DURATION.matcher(node.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException(where + ": not a duration: '" + node.asText() + "'");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** A list of strings; a single string counts as a list of one. */
    public static List<String> strings(JsonNode node, String where) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) return out;
        if (node.isTextual()) {
            out.add(node.asText());
            return out;
        }
        if (!node.isArray()) throw new IllegalArgumentException(where + " must be a list of strings");
        for (JsonNode n : node) {
            if (!n.isTextual()) throw new IllegalArgumentException(where + " must be a list of strings");
            out.add(n.asText());
        }
        return out;
    }

    /** Text, or {@code null} when absent. */
    public static String text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}
