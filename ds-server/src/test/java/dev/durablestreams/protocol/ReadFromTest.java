package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadFromTest {

    @Test
    void startsAtTheStartTheTailOrAnIssuedOffset() {
        assertThat(ReadFrom.START.startIn(10)).isZero();
        assertThat(ReadFrom.NOW.startIn(10)).isEqualTo(10);
        assertThat(ReadFrom.at(Offset.at(4)).startIn(10)).isEqualTo(4);
        assertThat(ReadFrom.at(Offset.at(10)).startIn(10)).as("the tail itself").isEqualTo(10);
    }

    @Test
    void refusesOffsetsTheStreamNeverIssued() {
        for (Offset never : new Offset[] {Offset.at(11), new Offset(1, 0), Offset.parse("9999999999999999_9999999999999999")}) {
            assertThatThrownBy(() -> ReadFrom.at(never).startIn(10))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }
}
