package dev.durablestreams.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.auth.AccessRules.Need;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRulesTest {
    @Test
    void methodsMapToActionsOnTheStreamPath() {
        assertThat(AccessRules.required("GET", "/v1/stream/a/b", null)).containsExactly(new Need("a/b", Action.READ));
        assertThat(AccessRules.required("HEAD", "/v1/stream/a", null)).containsExactly(new Need("a", Action.READ));
        assertThat(AccessRules.required("POST", "/v1/stream/a", null)).containsExactly(new Need("a", Action.WRITE));
        assertThat(AccessRules.required("PUT", "/v1/stream/a", null)).containsExactly(new Need("a", Action.WRITE));
        assertThat(AccessRules.required("DELETE", "/v1/stream/a", null)).containsExactly(new Need("a", Action.DELETE));
        assertThat(AccessRules.required("PUT", "/v1/stream/b", "a"))
                .containsExactly(new Need("b", Action.WRITE), new Need("a", Action.READ));
    }

    @Test
    void reservedAndOtherPaths() {
        assertThat(AccessRules.required("GET", "/v1/stream/__ds/jwks.json", null)).isEmpty();
        assertThat(AccessRules.required("POST", "/v1/stream/__ds/jwks.json", null))
                .containsExactly(new Need("__ds/jwks.json", Action.ADMIN));
        assertThat(AccessRules.required("GET", "/v1/stream/__ds/subscriptions/x", null))
                .containsExactly(new Need("__ds/subscriptions/x", Action.ADMIN));
        assertThat(AccessRules.required("POST", "/v1/stream/__ds/subscriptions/s1/claim", null))
                .containsExactly(new Need(AccessRules.WAKE_STREAM, Action.READ));
        for (String action : new String[] {"ack", "callback", "release"}) {
            assertThat(AccessRules.required("POST", "/v1/stream/__ds/subscriptions/s1/" + action, null)).isEmpty();
            assertThat(AccessRules.required("GET", "/v1/stream/__ds/subscriptions/s1/" + action, null)).isNotEmpty();
        }
        assertThat(AccessRules.required("GET", "/healthz", null)).isEmpty();
        assertThat(AccessRules.required("GET", "/metrics", null)).containsExactly(new Need("", Action.ADMIN));
    }

    @Test
    void grantsMatchPlainPrefixesAndAdminImpliesAll() {
        Principal p = new Principal("p", List.of(new Grant("app/", Set.of(Action.READ)),
                new Grant("ops/", Set.of(Action.ADMIN))));
        assertThat(p.allows("app/x", Action.READ)).isTrue();
        assertThat(p.allows("app/x", Action.WRITE)).isFalse();
        assertThat(p.allows("app", Action.READ)).isFalse();
        assertThat(p.allows("apps/x", Action.READ)).isFalse();
        assertThat(p.allows("ops/x", Action.DELETE)).isTrue();
        assertThat(p.allows("", Action.ADMIN)).isFalse();
        assertThat(new Principal("root", List.of(new Grant("", Set.of(Action.ADMIN)))).allows("", Action.ADMIN)).isTrue();
    }

    @Test
    void staticTokensMatchByDigestOnly() throws Exception {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                [{"token": "one", "name": "first", "grants": []},
                 {"sha256": "%s", "name": "second"}]""".formatted(
                java.util.HexFormat.of().formatHex(StaticTokens.sha256("two"))));
        StaticTokens tokens = StaticTokens.fromConfig(node);
        assertThat(tokens.lookup("one").name()).isEqualTo("first");
        assertThat(tokens.lookup("two").name()).isEqualTo("second");
        assertThat(tokens.lookup("three")).isNull();
        assertThat(tokens.lookup("on")).isNull();
    }
}
