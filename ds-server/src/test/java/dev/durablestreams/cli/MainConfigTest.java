package dev.durablestreams.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durablestreams.cli.config.ConfigException;
import dev.durablestreams.cli.config.ConfigFile;
import dev.durablestreams.http.AccessControl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The auth:, limits: and cors: sections of the configuration file, handed to their components. */
class MainConfigTest {

    static Path file(String yaml) throws Exception {
        Path f = Files.createTempFile(Files.createDirectories(Path.of("target")), "ds", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void noFileOrNoAuthSectionMeansAnOpenServer() {
        AccessControl open = Main.accessControl(ConfigFile.NONE);
        assertThat(open.auth()).isNull();
        assertThat(open.rateLimit()).isNull();
        assertThat(open.cors().allowsAny()).isTrue();
    }

    @Test
    void sectionsAreReadFromTheYamlFile() throws Exception {
        AccessControl access = Main.accessControl(ConfigFile.load(file("""
                port: 0
                auth:
                  tokens: [ { token: "x", grants: [ { prefix: "", actions: [read] } ] } ]
                  public-read: ["public/"]
                limits:
                  rate-limit: { requests-per-second: 10, burst: 20 }
                cors:
                  allowed-origins: ["https://a.example"]
                """)));
        assertThat(access.auth().isPublicRead("public/x")).isTrue();
        assertThat(access.rateLimit()).isNotNull();
        assertThat(access.cors().allowsAny()).isFalse();
    }

    @Test
    void misspeltOrInvalidSettingsFailTheStart() throws Exception {
        assertThatThrownBy(() -> Main.accessControl(ConfigFile.load(file("auth:\n  public_read: [\"x/\"]\n"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.public_read");
        assertThatThrownBy(() -> Main.accessControl(ConfigFile.load(file(
                "auth:\n  tokens: [ { token: \"a\", sha256: \"b\" } ]\n")))).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> Main.accessControl(ConfigFile.load(file(
                "auth:\n  tokens: [ { token: \"a\", grants: [ { prefix: \"\", actions: [fly] } ] } ]\n"))))
                .hasMessageContaining("fly");
    }

    @Test
    void aBadSectionStopsTheStartWithOneLineBeforeStorageOpens() throws Exception {
        Path f = file("storage: memory\nport: 0\ncors:\n  allowed-origins: [\"not an origin\"]\n");
        StringWriter err = new StringWriter();
        int status = Main.run(new String[] {"--config", f.toString()}, Map.of(), new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("config error: ").contains("cors.allowed-origins").doesNotContain("Exception");
    }
}
