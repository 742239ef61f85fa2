package dev.durablestreams.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The effective configuration as a YAML file ({@code --print-config}): every setting with its value and, as a
 * comment, where the value came from; then the file's sections. Secret values are masked. The output is itself a
 * valid configuration file.
 */
public final class EffectiveConfig {
    static final String MASK = "*****";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./+@-]+");
    private static final YAMLMapper OUT = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private EffectiveConfig() {}

    /**
     * @param spec     the parsed command
     * @param pr       its parse result
     * @param settings the provider that supplied environment and file values
     * @param sections the nested sections the file may hold
     * @param title    the first comment line (the program and its version)
     */
    public static String render(CommandSpec spec, ParseResult pr, Settings settings, Collection<String> sections,
                                String title) {
        StringBuilder out = new StringBuilder();
        out.append("# ").append(title).append('\n');
        out.append("# precedence: flag > environment > file > default\n");
        out.append("# config file: ").append(settings.file().path().map(p -> p.toAbsolutePath().toString())
                .orElse("none")).append('\n');
        for (OptionSpec o : spec.options()) {
            if (!Settings.isSetting(o) || !Settings.setting(o).file()) continue;
            Settings.Resolved r = settings.resolved(o, pr);
            String value = Settings.isSecret(o) && !r.text().isEmpty() ? MASK : r.text();
            String line = Settings.key(o) + ": " + scalar(value);
            out.append(line).append(" ".repeat(Math.max(1, 40 - line.length())))
                    .append("# ").append(label(r)).append('\n');
        }
        for (String name : sections) {
            JsonNode section = settings.file().section(name);
            if (section.isMissingNode()) continue;
            ObjectNode wrapper = OUT.createObjectNode();
            wrapper.set(name, mask(section.deepCopy()));
            try {
                out.append(OUT.writeValueAsString(wrapper));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    private static String label(Settings.Resolved r) {
        return switch (r.source()) {
            case FLAG -> "flag " + r.origin();
            case ENV -> "env " + r.origin();
            case FILE -> "file";
            case DEFAULT -> "default";
        };
    }

    /** A YAML scalar that reads back as the same text: plain when safe, else single-quoted. */
    static String scalar(String s) {
        return PLAIN.matcher(s).matches() && !s.startsWith("-") ? s : "'" + s.replace("'", "''") + "'";
    }

    /** Masks, in place, every scalar under a key named like a secret. */
    static JsonNode mask(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (Settings.isSecretName(e.getKey()) && e.getValue().isValueNode()) e.setValue(TextNode.valueOf(MASK));
                else mask(e.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(EffectiveConfig::mask);
        }
        return node;
    }
}
