package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamPathTest {

    /** The request line as Netty hands it over: one character per byte. */
    private static String wire(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void escapesAndRawBytesDecodeToTheSameName() {
        assertThat(StreamPath.decode("a/b")).isEqualTo("a/b");
        assertThat(StreamPath.decode("%61/b")).isEqualTo("a/b");
        assertThat(StreamPath.decode("x%E2%82%ACy")).isEqualTo("x\u20acy");
        assertThat(StreamPath.decode(wire("x\u20acy"))).isEqualTo("x\u20acy");
        assertThat(StreamPath.decode("a+b%20c")).isEqualTo("a+b c");
        assertThat(StreamPath.decode("a//b/")).isEqualTo("a//b/"); // empty segments are names like any other
        assertThat(StreamPath.decode("...")).isEqualTo("...");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%", "a%", "a%4", "bad%zz", "%ff", "%fe", "%C0%AF", "%ED%A0%80", "a%2Fb", "a%2fb",
        "a%0db", "a%0ab", "a%01b", "a%0bb", "a%1bb", "a%7fb", "a%00b", "a%C2%85b", ".", "..", "a/./b", "a/../b",
        "%2E%2E", "a/.."})
    void refuses(String raw) {
        assertThatThrownBy(() -> StreamPath.decode(raw)).isInstanceOf(ProtocolException.class)
                .extracting("status").isEqualTo(400);
    }

    @Test
    void refusesRawControlBytesToo() {
        assertThatThrownBy(() -> StreamPath.decode("a\rb")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> StreamPath.decode("a\u0085b")).isInstanceOf(ProtocolException.class); // not UTF-8
    }

    @Test
    void encodeRoundTripsThroughDecode() {
        for (String name : new String[] {"a/b", "x\u20acy z", "100%", "a?b#c", "q=1&r=2", "\ud83d\ude00/\u00e9"}) {
            String encoded = StreamPath.encode(name);
            assertThat(encoded).matches("[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");
            assertThat(StreamPath.decode(encoded)).isEqualTo(name);
        }
        assertThat(StreamPath.encode("x\u20ac y")).isEqualTo("x%E2%82%AC%20y");
    }
}
