package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class Http1RequestCheckTest {
    @Test
    void hostsAreCheckedByCharacterClass() {
        for (String ok : new String[] {"example.com", "127.0.0.1:4437", "[::1]:8080", "a-b_c~d", "x%41"}) {
            assertThat(Http1RequestCheck.isValidHost(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"a b", "a\"><b", "h\u00e9st", "a/b", "a\tb", "a\u20acb", "a\\b", "a@b"}) {
            assertThat(Http1RequestCheck.isValidHost(bad)).as(bad).isFalse();
        }
    }

    @Test
    void refusesWhatTheCodecLetsThrough() {
        assertThat(Http1RequestCheck.refusal(request(HttpVersion.HTTP_1_1, "example.com"))).isNull();
        assertThat(Http1RequestCheck.refusal(request(HttpVersion.HTTP_1_0))).isNull(); // HTTP/1.0 may omit Host
        assertThat(Http1RequestCheck.refusal(request(HttpVersion.HTTP_1_1)).status().code()).isEqualTo(400);
        assertThat(Http1RequestCheck.refusal(request(HttpVersion.HTTP_1_1, "a", "b")).status().code()).isEqualTo(400);
        assertThat(Http1RequestCheck.refusal(request(HttpVersion.valueOf("HTTP/2.0"), "a")).status().code())
                .isEqualTo(505);
    }

    private static HttpRequest request(HttpVersion version, String... hosts) {
        HttpRequest r = new DefaultHttpRequest(version, HttpMethod.GET, "/v1/stream/x");
        for (String h : hosts) r.headers().add("Host", h);
        return r;
    }
}
