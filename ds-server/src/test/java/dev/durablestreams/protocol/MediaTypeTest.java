package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaTypeTest {
    @Test
    void acceptsTheSyntaxOfRfc9110() {
        for (String ok : new String[] {"application/octet-stream", "text/plain", "application/json; charset=utf-8",
                "text/plain;charset=\"utf-8\"", "a/b;", "x-y.z+w/v!#$%&'*^_`|~", "text/plain ; a=b ;c=\"q\\\"d\""}) {
            assertThat(MediaType.isValid(ok)).as(ok).isTrue();
        }
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"", "text", "/plain", "text/", "text/pl ain", "text/plain; a", "text/plain; =b",
                "text/plain; a=\"open", "t\u00e9xt/plain", "text/pl\u20acin", "text(x)/plain", "text/plain\r\nX: y"}) {
            assertThat(MediaType.isValid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void sameTypeIgnoresCaseAndParameters() {
        assertThat(MediaType.sameType("text/plain", "text/plain")).isTrue();
        assertThat(MediaType.sameType("Text/Plain; charset=utf-8", "text/plain")).isTrue();
        assertThat(MediaType.sameType("text/plain", "text/html")).isFalse();
        assertThat(MediaType.sameType(null, "text/plain")).isFalse();
        assertThat(MediaType.sameType(null, null)).isTrue();
    }
}
