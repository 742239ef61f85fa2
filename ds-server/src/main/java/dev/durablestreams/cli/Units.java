package dev.durablestreams.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Human-friendly durations ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}) and sizes ({@code 64MiB}). */
final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?");

    private Units() {}

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (e.g. 500ms, 30s, 5m)");
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) throw new CommandLine.TypeConversionException("not a size: '" + value + "' (e.g. 4MiB, 64MiB, 10GiB)");
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2);
            long mult = switch (unit.charAt(0)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                case 't' -> 1L << 40;
                default -> 1;
            };
            return Math.multiplyExact(n, mult);
        }
    }
}
