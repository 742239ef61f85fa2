package dev.durablestreams;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What was built: the Maven project version and the git commit, filtered into {@code build-info.properties} by the
 * build. A build from a tree without {@code .git} (or a run from an IDE without resource filtering) reports
 * {@code unknown} rather than failing.
 *
 * @param version the project version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit  the abbreviated git commit id (12 hex digits)
 */
public record BuildInfo(String version, String commit) {
    /** Unknown parts are reported as this. */
    public static final String UNKNOWN = "unknown";

    private static final BuildInfo CURRENT = load();

    /** The build this class came from. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** {@code 0.1.0 (commit 1a2b3c4d5e6f)}: for logs and {@code --version}. */
    public String describe() {
        return version + " (commit " + commit + ")";
    }

    static BuildInfo from(Properties p) {
        return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("commit")));
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return from(p);
    }

    /** An unfiltered placeholder ({@code ${git.commit.id.abbrev}} when git was missing) is unknown. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.trim();
    }
}
