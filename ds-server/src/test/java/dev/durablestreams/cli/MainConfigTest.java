package dev.durablestreams.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durablestreams.http.AccessControl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainConfigTest {

    @Test
    void noFileOrNoAuthSectionMeansAnOpenServer() throws Exception {
        AccessControl open = Main.accessControl(Main.loadSections(null));
        assertThat(open.auth()).isNull();
        assertThat(open.rateLimit()).isNull();
        assertThat(open.cors().allowsAny()).isTrue();
    }

    @Test
    void sectionsAreReadFromTheYamlFile() throws Exception {
        Path f = Files.createTempFile(Files.createDirectories(Path.of("target")), "ds", ".yaml");
        Files.writeString(f, """
                auth:
                  tokens: [ { token: "x", grants: [ { prefix: "", actions: [read] } ] } ]
                  public-read: ["public/"]
                limits:
                  rate-limit: { requests-per-second: 10, burst: 20 }
                cors:
                  allowed-origins: ["https://a.example"]
                """);
        AccessControl access = Main.accessControl(Main.loadSections(f));
        assertThat(access.auth().isPublicRead("public/x")).isTrue();
        assertThat(access.rateLimit()).isNotNull();
        assertThat(access.cors().allowsAny()).isFalse();
    }

    @Test
    void misspeltOrInvalidSettingsFailTheStart() throws Exception {
        Path f = Files.createTempFile(Files.createDirectories(Path.of("target")), "ds", ".yaml");
        Files.writeString(f, "auth:\n  public_read: [\"x/\"]\n");
        assertThatThrownBy(() -> Main.accessControl(Main.loadSections(f)))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("auth.public_read");
        Files.writeString(f, "auth:\n  tokens: [ { token: \"a\", sha256: \"b\" } ]\n");
        assertThatThrownBy(() -> Main.accessControl(Main.loadSections(f))).hasMessageContaining("exactly one");
        Files.writeString(f, "auth:\n  tokens: [ { token: \"a\", grants: [ { prefix: \"\", actions: [fly] } ] } ]\n");
        assertThatThrownBy(() -> Main.accessControl(Main.loadSections(f))).hasMessageContaining("fly");
    }
}
