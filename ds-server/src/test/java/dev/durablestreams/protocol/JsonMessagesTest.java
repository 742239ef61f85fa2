package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonMessagesTest {

    private static JsonMessages.Batch parse(String json) {
        return JsonMessages.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"e\":1}|1|{\"e\":1},",
            "[{\"a\":1},{\"b\":2}]|2|{\"a\":1},{\"b\":2},",
            "[[1,2],[3,4]]|2|[1,2],[3,4],",
            "[[[1,2,3]]]|1|[[1,2,3]],",
            "\"s\"|1|\"s\",",
            "[1, \"two\" ,null , true]|4|1,\"two\",null,true,",
            "[]|0|''",
    })
    void flattensExactlyOneLevel(String body, int count, String stored) {
        JsonMessages.Batch b = parse(body);
        assertThat(b.count()).isEqualTo(count);
        assertThat(new String(b.stored(), StandardCharsets.UTF_8)).isEqualTo(stored);
    }

    @Test
    void keepsTheClientsBytesExactly() {
        String body = " [ 1.0e+2 , 2.50, 12345678901234567890123, {\"k\" : [ 1 ,\n2 ]}, \"\\u00e9\" ] ";
        assertThat(new String(parse(body).stored(), StandardCharsets.UTF_8))
                .isEqualTo("1.0e+2,2.50,12345678901234567890123,{\"k\" : [ 1 ,\n2 ]},\"\\u00e9\",");
        assertThat(new String(parse("  -0.0  ").stored(), StandardCharsets.UTF_8)).isEqualTo("-0.0,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "[1,2", "[1,]", "{\"a\":}", "1 2", "[1] x", "nul", "'x'", "NaN", "{a:1}",
            "[1,2]]"})
    void rejectsInvalidJson(String body) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(ProtocolException.class).extracting("status").isEqualTo(400);
    }

    @Test
    void prefixLengthCountsWholeMessagesWithTheirCommas() {
        byte[] stored = "{\"a\":1},[2,3],\"x\",".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonMessages.prefixLength(stored, 0)).isZero();
        assertThat(JsonMessages.prefixLength(stored, 1)).isEqualTo(8);
        assertThat(JsonMessages.prefixLength(stored, 2)).isEqualTo(14);
        assertThat(JsonMessages.prefixLength(stored, 3)).isEqualTo(stored.length);
        assertThat(JsonMessages.prefixLength(stored, 4)).isEqualTo(-1);
    }

    @Test
    void rejectsBodiesThatAreNotStrictUtf8() {
        byte[][] bodies = {
            {'[', '"', (byte) 0xC0, (byte) 0xAF, '"', ']'},
            {'"', (byte) 0xED, (byte) 0xB0, (byte) 0x80, '"'},
            {(byte) 0xFF, (byte) 0xFE, '[', 0, ']', 0},
            {'[', 0, '1', 0, ']', 0},
            {0, 0, 0, '1'},
        };
        for (byte[] body : bodies) {
            assertThatThrownBy(() -> JsonMessages.parse(body)).isInstanceOf(ProtocolException.class)
                    .extracting("status").isEqualTo(400);
        }
        byte[] ok = "[\"\u00e9\ud83d\ude00\"]".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonMessages.parse(ok).count()).isEqualTo(1);
    }
}
