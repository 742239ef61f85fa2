package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LifetimeTest {

    @Test
    void ttlIsAPositiveCanonicalInteger() {
        assertThat(Lifetime.parseTtl(null)).isNull();
        assertThat(Lifetime.parseTtl("60")).isEqualTo(60L);
        assertThat(Lifetime.parseTtl("1")).isEqualTo(1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "00060", "+60", "60.5", "1e3", "", " 60", "0", "99999999999999"})
    void rejectsOtherTtls(String ttl) {
        assertThatThrownBy(() -> Lifetime.parseTtl(ttl)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void expiresAtAcceptsRfc3339WithZuluOrOffset() {
        Instant z = Lifetime.parseExpiresAt("2030-01-02T03:04:05Z");
        assertThat(Lifetime.parseExpiresAt("2030-01-02T03:04:05+00:00")).isEqualTo(z);
        assertThat(Lifetime.parseExpiresAt("2030-01-02T05:04:05.000+02:00")).isEqualTo(z);
        assertThatThrownBy(() -> Lifetime.parseExpiresAt("not-a-timestamp")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Lifetime.parseExpiresAt("2030-01-02")).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"})
    void expiresAtYearsHaveFourDigits(String value) {
        assertThatThrownBy(() -> Lifetime.parseExpiresAt(value)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/json; charset=utf-8", "text/plain;", "a/b ; x=\"q\\\"\" ;y=z",
        "application/vnd.x+json;;v=1"})
    void acceptsMediaTypes(String value) {
        assertThat(MediaType.isValid(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {";;;==;", "text", "text/", "/plain", "text/plain; charset", "text/plain; =x",
        "text/plain; a=\"unterminated", "text/plain x", "text /plain", "text/plain; a=b c"})
    void refusesMalformedMediaTypes(String value) {
        assertThat(MediaType.isValid(value)).isFalse();
    }

    @Test
    void mediaTypesCompareByEssence() {
        assertThat(MediaType.sameType("application/json; charset=utf-8", "APPLICATION/JSON")).isTrue();
        assertThat(MediaType.sameType("text/plain", "text/html")).isFalse();
        assertThat(MediaType.isJson("Application/Json;x=1")).isTrue();
        assertThat(MediaType.isSseText("text/csv")).isTrue();
        assertThat(MediaType.isSseText("application/x-protobuf")).isFalse();
        assertThat(Headers.isTrue("TRUE")).isTrue();
        assertThat(Headers.isTrue("1")).isFalse();
        assertThat(Headers.isTrue(null)).isFalse();
    }
}
