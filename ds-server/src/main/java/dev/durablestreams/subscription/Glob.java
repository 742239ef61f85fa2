package dev.durablestreams.subscription;

/**
 * Glob over stream-root-relative paths: {@code *} matches exactly one path segment, {@code **} zero or more
 * segments; any other segment matches itself. Segments are separated by {@code /}.
 */
public final class Glob {
    private final String[] parts;

    private Glob(String pattern) {
        this.parts = pattern.split("/", -1);
    }

    /** Parses a pattern; 400 {@code INVALID_REQUEST} when it is empty or has empty segments. */
    public static Glob of(String pattern) {
        if (pattern.isEmpty() || pattern.startsWith("/") || pattern.contains("//") || pattern.indexOf('\0') >= 0) {
            throw SubscriptionError.invalid("pattern must be a relative path glob such as events/*");
        }
        return new Glob(pattern);
    }

    public boolean matches(String path) {
        return match(0, path.split("/", -1), 0);
    }

    private boolean match(int p, String[] segs, int s) {
        while (p < parts.length) {
            String part = parts[p];
            if (part.equals("**")) {
                for (int k = s; k <= segs.length; k++) if (match(p + 1, segs, k)) return true;
                return false;
            }
            if (s >= segs.length) return false;
            if (!part.equals("*") && !part.equals(segs[s])) return false;
            p++;
            s++;
        }
        return s == segs.length;
    }
}
