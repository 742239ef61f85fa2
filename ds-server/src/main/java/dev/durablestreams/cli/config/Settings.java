package dev.durablestreams.cli.config;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Default values for picocli options from, in order, the option's environment variable ({@code --max-body} →
 * {@code DS_MAX_BODY}), the configuration file ({@code max-body: 64MiB}), and the option's own
 * {@code defaultValue}. picocli asks only for options missing from the command line, so a flag wins over the
 * environment, which wins over the file, which wins over the built-in default. Values are handed to picocli as the
 * text a flag would carry, so they pass through the same converters and checks.
 *
 * <p>Every {@code @Option} takes part without further code; {@link Setting} narrows an option or marks it secret.
 * It records where each value came from, for {@code --print-config} and for error messages that name the
 * variable or file.
 */
public final class Settings implements CommandLine.IDefaultValueProvider {
    /** Where a value came from. */
    public enum Source { FLAG, ENV, FILE, DEFAULT }

    /**
     * One option's effective value.
     *
     * @param source where it came from
     * @param origin the flag, variable or file that set it ({@code --port}, {@code DS_PORT}, {@code ds.yaml}), or
     *               {@code default}
     * @param text   the value as text, as a flag would carry it
     */
    public record Resolved(Source source, String origin, String text) {}

    /** Keys whose values {@code --print-config} masks even when not marked {@link Setting#secret()}. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i)token|secret|password|passphrase|credential|key-file");

    /** What an option without {@link Setting} gets: environment and file, not secret. */
    private static final Setting PLAIN = new Setting() {
        @Override public boolean env() { return true; }
        @Override public boolean file() { return true; }
        @Override public boolean secret() { return false; }
        @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return Setting.class; }
    };

    private final Map<String, String> env;
    private final ConfigFile file;
    private final Map<String, Resolved> supplied = new HashMap<>();
    private volatile boolean builtInOnly;

    /**
     * @param env  the environment ({@code System.getenv()}; tests pass their own)
     * @param file the configuration file, or {@link ConfigFile#NONE}
     */
    public Settings(Map<String, String> env, ConfigFile file) {
        this.env = Map.copyOf(env);
        this.file = file;
    }

    /** The configuration file in use. */
    public ConfigFile file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (builtInOnly || !(arg instanceof OptionSpec o) || !isSetting(o)) return null;
        Setting s = setting(o);
        if (s.env()) {
            String v = env.get(envName(o));
            if (v != null && !v.isEmpty()) return supply(o, new Resolved(Source.ENV, envName(o), v));
        }
        if (s.file()) {
            Optional<String> v = file.value(key(o));
            if (v.isPresent()) return supply(o, new Resolved(Source.FILE, file.name(), v.get()));
        }
        return null; // picocli falls back to the option's defaultValue
    }

    private String supply(OptionSpec o, Resolved r) {
        synchronized (supplied) {
            supplied.put(key(o), r);
        }
        return r.text().replace("${", "$${"); // a literal: picocli would otherwise expand ${...} in it
    }

    /**
     * From now on picocli sees only the built-in defaults. Called once parsing is done, so {@code --help} shows the
     * built-in default as {@code ${DEFAULT-VALUE}}, not the value the environment or file happened to give.
     */
    public void showBuiltInDefaults() {
        builtInOnly = true;
    }

    /** Where {@code o}'s value came from in the parse {@code pr}. */
    public Resolved resolved(OptionSpec o, ParseResult pr) {
        OptionSpec matched = pr.matchedOption(o.longestName());
        if (matched != null) {
            String text = matched.originalStringValues().isEmpty() ? String.valueOf(matched.getValue())
                    : String.join(",", matched.originalStringValues());
            return new Resolved(Source.FLAG, o.longestName(), text);
        }
        synchronized (supplied) {
            Resolved r = supplied.get(key(o));
            if (r != null) return r;
        }
        return new Resolved(Source.DEFAULT, "default", o.defaultValue() == null ? "" : o.defaultValue());
    }

    /**
     * The one-line message for a bad value that came from the environment or the file
     * ({@code ds.yaml: port: 'abc' is not a number}), or empty when the value was a flag (picocli never asks for
     * those) or the error is not about one option.
     */
    public Optional<String> configError(CommandLine.ParameterException ex) {
        if (!(ex.getArgSpec() instanceof OptionSpec o)) return Optional.empty();
        Resolved r;
        synchronized (supplied) {
            r = supplied.get(key(o));
        }
        if (r == null) return Optional.empty();
        String reason = reason(ex);
        return Optional.of(r.source() == Source.ENV ? r.origin() + ": " + reason
                : r.origin() + ": " + key(o) + ": " + reason);
    }

    /** picocli's message without its "Invalid value for option '--x': " prefix, numbers said plainly. */
    static String reason(CommandLine.ParameterException ex) {
        String msg = ex.getCause() instanceof CommandLine.TypeConversionException t ? t.getMessage() : ex.getMessage();
        return msg.replaceFirst("^Invalid value for option '[^']*': ", "")
                .replaceFirst("is not an? (int|long|short|byte|integer|float|double)\\b.*$", "is not a number");
    }

    /** The file key of an option: its long name without dashes ({@code max-body}). */
    public static String key(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    /** The environment variable of an option: {@code DS_} and its key in upper case ({@code DS_MAX_BODY}). */
    public static String envName(OptionSpec o) {
        return "DS_" + key(o).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Whether {@code --print-config} masks the option's value: marked secret, or named like a secret. */
    public static boolean isSecret(OptionSpec o) {
        return setting(o).secret() || isSecretName(key(o));
    }

    static boolean isSecretName(String key) {
        return SECRET_NAME.matcher(key).find();
    }

    /** Options that configure the server: all but --help and --version. */
    public static boolean isSetting(OptionSpec o) {
        return !o.usageHelp() && !o.versionHelp();
    }

    /** The option's {@link Setting}, or the plain one (environment and file) when it has none. */
    public static Setting setting(OptionSpec o) {
        Setting s = o.userObject() instanceof Field f ? f.getAnnotation(Setting.class) : null;
        return s == null ? PLAIN : s;
    }

    /** The flat keys the configuration file may hold for {@code spec}, in the order of its options. */
    public static Set<String> fileKeys(CommandSpec spec) {
        Set<String> keys = new LinkedHashSet<>();
        for (OptionSpec o : spec.options()) if (isSetting(o) && setting(o).file()) keys.add(key(o));
        return keys;
    }
}
