package dev.durablestreams.cli.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The YAML configuration file: flat {@code key: value} lines, one per flag (the flag's long name without
 * {@code --}), and nested sections (e.g. {@code auth:}) that are handed whole, as a Jackson tree, to the component
 * that owns them. Only the known keys and sections are accepted, so a typo fails start-up instead of being ignored.
 */
public final class ConfigFile {
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** No file: every lookup is empty. */
    public static final ConfigFile NONE = new ConfigFile("(none)", null, YAML.createObjectNode());

    private final String name;
    private final Path path;
    private final ObjectNode root;

    private ConfigFile(String name, Path path, ObjectNode root) {
        this.name = name;
        this.path = path;
        this.root = root;
    }

    /** Reads and parses {@code path}; syntax errors are a {@link ConfigException} naming the line. */
    public static ConfigFile load(Path path) {
        String name = path.toString();
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            throw new ConfigException(name + ": " + line + firstLine(e.getOriginalMessage()));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) return new ConfigFile(name, path, YAML.createObjectNode());
        if (!tree.isObject()) throw new ConfigException(name + ": expected 'key: value' lines, one per setting");
        return new ConfigFile(name, path, (ObjectNode) tree);
    }

    /** The file as named on the command line or in {@code DS_CONFIG}; for messages. */
    public String name() {
        return name;
    }

    /** The file, or empty for {@link #NONE}. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /**
     * Fails on the first key that is neither a flat setting in {@code settings} with a single value nor a section in
     * {@code sections} with nested keys, suggesting the nearest known key.
     */
    public void check(Set<String> settings, Set<String> sections) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (settings.contains(key)) {
                if (value.isNull()) throw new ConfigException(name + ": '" + key + "' has no value");
                if (value.isContainerNode()) throw new ConfigException(name + ": '" + key + "' takes one value, not a list or section");
            } else if (sections.contains(key)) {
                if (!value.isObject()) throw new ConfigException(name + ": '" + key + "' is a section: put its keys on indented lines below it");
            } else {
                String hint = nearest(key, Stream.concat(settings.stream(), sections.stream()).toList())
                        .map(k -> " (did you mean '" + k + "'?)").orElse("");
                throw new ConfigException(name + ": unknown key '" + key + "'" + hint);
            }
        }
    }

    /** The value of a flat setting as the text a command-line flag would carry, if the file has it. */
    public Optional<String> value(String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) return Optional.empty();
        return Optional.of(v.asText());
    }

    /** A nested section as a Jackson tree for the component that owns it; a missing node when absent. */
    public JsonNode section(String key) {
        JsonNode v = root.get(key);
        return v != null && v.isObject() ? v : MissingNode.getInstance();
    }

    private static String firstLine(String s) {
        if (s == null) return "not valid YAML";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** The known key closest to {@code key} by edit distance, if close enough to be a plausible typo. */
    static Optional<String> nearest(String key, Collection<String> known) {
        int limit = Math.max(2, key.length() / 3);
        return known.stream()
                .map(k -> Map.entry(k, distance(key, k)))
                .filter(e -> e.getValue() <= limit)
                .min(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue()).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit ({@code prot} → {@code port}). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
