package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffsetTest {

    @Test
    void formatsAsTwoZeroPaddedSixteenDigitNumbers() {
        assertThat(Offset.ZERO.toString()).isEqualTo("0000000000000000_0000000000000000");
        assertThat(Offset.at(34).toString()).isEqualTo("0000000000000000_0000000000000034");
        for (long v : new long[] {1, 9, 10, 123_456_789, 9_999_999_999_999_999L, 10_000_000_000_000_000L}) {
            assertThat(new Offset(v, v).toString()).isEqualTo(String.format("%016d_%016d", v, v));
        }
    }

    @Test
    void parsesItsOwnFormatAndTheSuitesBeyondTailLiteral() {
        assertThat(Offset.parse("0000000000000000_0000000000000034")).isEqualTo(Offset.at(34));
        Offset far = Offset.parse("9999999999999999_9999999999999999");
        assertThat(far.isAfter(Offset.at(Long.MAX_VALUE / 2))).isTrue();
    }

    @Test
    void sortsLikeItsText() {
        Offset a = Offset.at(9);
        Offset b = Offset.at(10);
        assertThat(a.compareTo(b)).isNegative();
        assertThat(a.toString().compareTo(b.toString())).isNegative();
        assertThat(new Offset(1, 0).isAfter(Offset.at(999))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "../", "/..", "1_", "_1", "1__2", "1_2_3", "a_1", "1_a", "1,2", "1/2",
            "\u0000", "\n", "\r\n", "-1_0", "0000000000000000000_0"})
    void rejectsAnythingElse(String bad) {
        assertThatThrownBy(() -> Offset.parse(bad)).isInstanceOf(ProtocolException.class)
                .extracting("status").isEqualTo(400);
    }

    @Test
    void readPositionSentinels() {
        assertThat(ReadFrom.parse(null)).isEqualTo(ReadFrom.START);
        assertThat(ReadFrom.parse("-1")).isEqualTo(ReadFrom.START);
        assertThat(ReadFrom.parse("now")).isEqualTo(ReadFrom.NOW);
        assertThat(ReadFrom.parse("0000000000000000_0000000000000005").offset()).isEqualTo(Offset.at(5));
        assertThatThrownBy(() -> ReadFrom.parse("")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ReadFrom.parse("NOW")).isInstanceOf(ProtocolException.class);
    }
}
