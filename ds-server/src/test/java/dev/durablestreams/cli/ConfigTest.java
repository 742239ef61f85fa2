package dev.durablestreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.BuildInfo;
import dev.durablestreams.cli.config.ConfigException;
import dev.durablestreams.cli.config.ConfigFile;
import dev.durablestreams.cli.config.EffectiveConfig;
import dev.durablestreams.cli.config.Setting;
import dev.durablestreams.cli.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The configuration file, environment and flags through the real command ({@link Main#run}), minus the server. */
class ConfigTest {
    @TempDir Path dir;

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }

        /** The {@code --print-config} line of {@code key}. */
        String line(String key) {
            return out.lines().filter(l -> l.startsWith(key + ":")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + key + " in:\n" + out));
        }
    }

    Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    Path file(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "ds-server", ".yaml"), yaml);
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Path f = file("port: 1111\nhost: 10.0.0.1\nstorage: memory\nsse-keepalive: 7s\n");
        Result r = run(Map.of("DS_PORT", "2222", "DS_HOST", "10.0.0.2"),
                "--config", f.toString(), "--print-config", "--port", "3333");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.line("port")).matches("port: 3333 +# flag --port");
        assertThat(r.line("host")).matches("host: 10\\.0\\.0\\.2 +# env DS_HOST");
        assertThat(r.line("storage")).matches("storage: memory +# file");
        assertThat(r.line("sse-keepalive")).matches("sse-keepalive: 7s +# file");
        assertThat(r.line("data-dir")).matches("data-dir: \\./data +# default");
        assertThat(r.out()).contains("# config file: " + f.toAbsolutePath());
    }

    @Test
    void storageTakesAPostgresqlUrlWhosePasswordIsNeverPrinted() throws IOException {
        Result r = run(Map.of("DS_STORAGE", "postgresql://ds:s3cret@db.example:5432/streams"), "--print-config",
                "--pg-schema", "tenant_a");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.line("storage")).matches("storage: 'postgresql://ds:\\*{5}@db\\.example:5432/streams' +# env DS_STORAGE");
        assertThat(r.out()).doesNotContain("s3cret");
        assertThat(r.line("pg-schema")).matches("pg-schema: tenant_a +# flag --pg-schema");
        assertThat(r.line("pg-pool-size")).matches("pg-pool-size: 16 +# default");
        assertOneLine(run(Map.of("DS_STORAGE", "mysql://h/db"), "--print-config"),
                "DS_STORAGE: 'mysql://h/db' must be rocksdb, memory or a postgresql:// URL");
        assertOneLine(run(Map.of("DS_PG_SCHEMA", "a;b"), "--print-config"), "DS_PG_SCHEMA: 'a;b' must be a plain SQL identifier");
        assertOneLine(run(Map.of("DS_ADVERTISE_URL", "10.0.0.5:4437"), "--print-config"),
                "DS_ADVERTISE_URL: '10.0.0.5:4437' must be auto or an http:// or https:// URL with a host");
        Result ok = run(Map.of(), "--print-config", "--advertise-url", "http://10.0.0.5:4437");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.line("advertise-url")).matches("advertise-url: 'http://10\\.0\\.0\\.5:4437' +# flag --advertise-url");
    }

    @Test
    void configFileCanComeFromTheEnvironmentAndItsOutputIsAValidConfigFile() throws IOException {
        Path f = file("storage: memory\nmax-read: 12KiB\n");
        Result r = run(Map.of("DS_CONFIG", f.toString()), "--print-config", "--port=0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.line("max-read")).matches("max-read: 12KiB +# file");

        // The printed configuration reads back as the same settings.
        Path again = file(r.out());
        Result r2 = run(Map.of(), "--config=" + again, "--print-config");
        assertThat(r2.exit()).as(r2.err()).isZero();
        assertThat(r2.line("max-read")).matches("max-read: 12KiB +# file");
        assertThat(r2.line("port")).matches("port: 0 +# file");
        assertThat(r2.line("storage")).matches("storage: memory +# file");
    }

    @Test
    void helpShowsBuiltInDefaultsAndPrecedenceNotTheEnvironmentOrFileValues() throws IOException {
        Path f = file("port: 1111\n");
        Result r = run(Map.of("DS_CONFIG", f.toString(), "DS_PORT", "2222", "DS_MAX_BODY", "1MiB"), "--help");
        assertThat(r.exit()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("env DS_PORT; default 4437").contains("env DS_MAX_BODY; default 64MiB")
                .doesNotContain("1111").doesNotContain("2222").doesNotContain("default 1MiB")
                .contains("Precedence: flag > environment > file > built-in default");
    }

    @Test
    void unknownKeyFailsWithOneLineAndASuggestion() throws IOException {
        Path f = file("prot: 4437\n");
        Result r = run(Map.of(), "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("config error: " + f + ": unknown key 'prot' (did you mean 'port'?)");
        assertThat(r.out()).isEmpty();

        Result far = run(Map.of(), "--config", file("colour: blue\n").toString());
        assertThat(far.errLines()).singleElement().asString().endsWith(": unknown key 'colour'");
        // --config and --print-config are not settable from the file.
        Result self = run(Map.of(), "--config", file("config: other.yaml\n").toString());
        assertThat(self.errLines()).singleElement().asString().contains("unknown key 'config'");
    }

    @Test
    void badValuesFromTheFileOrEnvironmentNameTheirKeyInOneLine() throws IOException {
        assertOneLine(run(Map.of(), "--config", file("port: abc\n").toString()), ": port: 'abc' is not a number");
        assertOneLine(run(Map.of(), "--config", file("long-poll-timeout: soon\n").toString()),
                ": long-poll-timeout: not a duration: 'soon'");
        assertOneLine(run(Map.of(), "--config", file("storage: floppy\n").toString()), ": storage: ");
        assertOneLine(run(Map.of(), "--config", file("max-read: 12\n").toString()),
                ": max-read: '12' must be between 1KiB and 256MiB");
        assertOneLine(run(Map.of("DS_PORT", "abc"), "--print-config"), "config error: DS_PORT: 'abc' is not a number");
        assertOneLine(run(Map.of(), "--config", file("port: [1, 2]\n").toString()), ": 'port' takes one value");
        assertOneLine(run(Map.of(), "--config", file("port:\n").toString()), ": 'port' has no value");
        assertOneLine(run(Map.of(), "--config", file("port: 1\nport: 2\n").toString()), "line 2: Duplicate field 'port'");
        assertOneLine(run(Map.of(), "--config", file("port: [1\n").toString()), ": line ");
        assertOneLine(run(Map.of(), "--config", file("- port\n").toString()), "expected 'key: value' lines");
        assertOneLine(run(Map.of(), "--config", dir.resolve("missing.yaml").toString()), "missing.yaml: no such file");
    }

    private static void assertOneLine(Result r, String expected) {
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).as(r.err()).singleElement().asString()
                .startsWith("config error: ").contains(expected).doesNotContain("Exception");
    }

    @Test
    void aFlagOverridesABadFileValueAndBadFlagsStillGetUsage() throws IOException {
        Path f = file("port: abc\n");
        Result r = run(Map.of(), "--config", f.toString(), "--port", "5", "--print-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.line("port")).matches("port: 5 +# flag --port");

        Result flag = run(Map.of(), "--port", "abc");
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.err()).contains("Invalid value for option '--port'").contains("Usage: ds-server");
    }

    @Test
    void emptyAndCommentOnlyFilesAreFine() throws IOException {
        assertThat(run(Map.of(), "--config", file("").toString(), "--print-config").exit()).isZero();
        assertThat(run(Map.of(), "--config", file("# nothing\n").toString(), "--print-config").exit()).isZero();
    }

    @Test
    void versionNamesTheMavenVersionAndCommit() {
        Result r = run(Map.of(), "--version");
        assertThat(r.exit()).isZero();
        BuildInfo b = BuildInfo.current();
        assertThat(b.version()).matches("\\d+\\.\\d+\\.\\d+.*"); // filtered by the build, not ${project.version}
        assertThat(b.commit()).matches("[0-9a-f]{12}|unknown");
        assertThat(r.out().trim()).isEqualTo("ds-server " + b.version() + " (commit " + b.commit() + ")");
    }

    /** The example file ships every flag, commented out, with the flag's real default. */
    @Test
    void exampleConfigListsEveryFlagWithItsDefault() throws IOException {
        Path example = Path.of("src/dist/conf/ds-server.yaml");
        String text = Files.readString(example);
        CommandLine cmd = new CommandLine(new Main());
        Set<String> keys = Settings.fileKeys(cmd.getCommandSpec());
        assertThat(keys).contains("port", "storage", "max-body").doesNotContain("config", "print-config", "help");
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (!keys.contains(Settings.key(o))) continue;
            Matcher m = Pattern.compile("(?m)^#" + Pattern.quote(Settings.key(o)) + ": (.*)$").matcher(text);
            assertThat(m.find()).as("%s lists #%s: <default>", example, Settings.key(o)).isTrue();
            assertThat(m.group(1)).as(Settings.key(o)).isEqualTo(o.defaultValue());
        }
        // Uncommented, it is a valid configuration that changes nothing.
        Path uncommented = file(text.replaceAll("(?m)^#([a-z-]+: )", "$1"));
        Result r = run(Map.of(), "--config", uncommented.toString(), "--print-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.line("max-body")).matches("max-body: 64MiB +# file");
    }

    /** A stand-in for future flags: a secret, and one still written the old way with ${env:...} in its default. */
    static final class Future {
        @CommandLine.Option(names = "--admin-token", defaultValue = "")
        @Setting(secret = true)
        String adminToken;

        @CommandLine.Option(names = "--legacy-limit", defaultValue = "${env:DS_LEGACY_LIMIT:-5}")
        int legacyLimit;

        @CommandLine.Option(names = "--label", defaultValue = "none")
        String label;
    }

    private static CommandLine.ParseResult parse(Future f, Settings s, String... args) {
        CommandLine cmd = new CommandLine(f);
        cmd.setDefaultValueProvider(s);
        return cmd.parseArgs(args);
    }

    @Test
    void newOptionsNeedNoExtraCodeAndOldStyleEnvDefaultsKeepTheirPrecedence() throws IOException {
        ConfigFile file = ConfigFile.load(file("legacy-limit: 7\nlabel: \"${sys:user.home}\"\nadmin-token: hunter2\n"));
        CommandLine probe = new CommandLine(new Future());
        file.check(Settings.fileKeys(probe.getCommandSpec()), Set.of());

        Future fromFile = new Future();
        parse(fromFile, new Settings(Map.of(), file));
        assertThat(fromFile.legacyLimit).isEqualTo(7);
        assertThat(fromFile.label).isEqualTo("${sys:user.home}"); // taken literally, not expanded
        assertThat(fromFile.adminToken).isEqualTo("hunter2");

        Future fromEnv = new Future();
        parse(fromEnv, new Settings(Map.of("DS_LEGACY_LIMIT", "9", "DS_LABEL", "e"), file));
        assertThat(fromEnv.legacyLimit).isEqualTo(9);
        assertThat(fromEnv.label).isEqualTo("e");

        Future fromDefault = new Future();
        parse(fromDefault, new Settings(Map.of(), ConfigFile.NONE));
        assertThat(fromDefault.legacyLimit).isEqualTo(5);
        assertThat(fromDefault.label).isEqualTo("none");
    }

    @Test
    void printConfigMasksSecretsInFlagsAndSections() throws IOException {
        ConfigFile file = ConfigFile.load(file("""
                admin-token: hunter2
                auth:
                  issuer: https://issuer.example
                  client-secret: s3cret
                  keys:
                    - id: a
                      password: pw
                """));
        file.check(Set.of("admin-token", "legacy-limit", "label"), Set.of("auth"));
        assertThat(file.section("auth").get("issuer").asText()).isEqualTo("https://issuer.example");

        Settings settings = new Settings(Map.of(), file);
        Future f = new Future();
        CommandLine cmd = new CommandLine(f);
        cmd.setDefaultValueProvider(settings);
        CommandLine.ParseResult pr = cmd.parseArgs("--label", "x");
        String out = EffectiveConfig.render(cmd.getCommandSpec(), pr, settings, List.of("auth"), "test");
        assertThat(out).doesNotContain("hunter2").doesNotContain("s3cret").doesNotContain(": pw")
                .contains("https://issuer.example").contains("label: x");
        assertThat(out).containsPattern("admin-token: '\\*+' +# file");
    }

    @Test
    void sectionsMustBeSectionsAndFlagsMustNotBe() throws IOException {
        ConfigFile scalar = ConfigFile.load(file("auth: yes\n"));
        Assertions.assertThatThrownBy(() -> scalar.check(Set.of("port"), Set.of("auth")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'auth' is a section");
        ConfigFile nested = ConfigFile.load(file("port:\n  number: 1\n"));
        Assertions.assertThatThrownBy(() -> nested.check(Set.of("port"), Set.of("auth")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'port' takes one value");
    }
}
