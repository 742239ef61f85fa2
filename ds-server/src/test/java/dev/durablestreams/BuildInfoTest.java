package dev.durablestreams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    @Test
    void unfilteredOrMissingValuesAreUnknownNotPlaceholders() {
        Properties p = new Properties();
        p.setProperty("version", "1.2.3");
        p.setProperty("commit", "${git.commit.id.abbrev}"); // a build without .git leaves it unfiltered
        assertThat(BuildInfo.from(p)).isEqualTo(new BuildInfo("1.2.3", "unknown"));
        assertThat(BuildInfo.from(new Properties())).isEqualTo(new BuildInfo("unknown", "unknown"));
    }

    @Test
    void theBuildFillsInVersionAndCommit() {
        assertThat(BuildInfo.current().version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(BuildInfo.current().commit()).matches("[0-9a-f]{12}|unknown");
        assertThat(BuildInfo.current().describe()).startsWith(BuildInfo.current().version() + " (commit ");
    }
}
