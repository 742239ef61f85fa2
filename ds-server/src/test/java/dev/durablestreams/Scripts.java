package dev.durablestreams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's {@code scripts/*.sh} from tests, as the test command does. */
public final class Scripts {
    private Scripts() {}

    /**
     * Runs {@code scripts/<name>} with {@code args} and returns its standard output; fails with the script's output
     * and error output when it exits non-zero or runs longer than {@code timeoutSeconds}.
     */
    public static String run(String name, long timeoutSeconds, String... args) {
        try {
            Path log = Files.createTempFile("script", ".log");
            List<String> cmd = new ArrayList<>(List.of("bash", repoRoot().resolve("scripts").resolve(name).toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) p.destroyForcibly();
            if (!done || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/" + name + " " + String.join(" ", args)
                        + (done ? " failed (exit " + p.exitValue() + ")" : " timed out") + ":\n" + out + Files.readString(log));
            }
            Files.deleteIfExists(log);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last line of a script's output (the scripts print their result, such as a URL, last). */
    public static String lastLine(String out) {
        String t = out.trim();
        return t.substring(t.lastIndexOf('\n') + 1);
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/pg.sh"))) return p;
        }
        throw new IllegalStateException("scripts/ not found above " + Path.of("").toAbsolutePath());
    }
}
