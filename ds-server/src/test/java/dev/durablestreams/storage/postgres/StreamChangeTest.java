package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The NOTIFY payload of a stream change: what one node writes, every node reads back exactly. */
class StreamChangeTest {

    @Test
    void everyKindRoundTripsWithPathsHoldingSpacesAndDigits() {
        for (StreamChange c : new StreamChange[] {StreamChange.created("a b/1 2", 0), StreamChange.advanced("x", 1024),
                StreamChange.deleted("9 lives"), StreamChange.touched("t")}) {
            assertThat(StreamChange.parse(c.payload())).isEqualTo(c);
        }
        assertThat(StreamChange.advanced("events/a", 1024).payload()).isEqualTo("a1024 events/a");
    }

    @Test
    void aPayloadNamingNoChangeIsNull() {
        for (String p : new String[] {"", "events/a", " x", "a x", "ax1 p", "d1 p", "q1 p"}) {
            assertThat(StreamChange.parse(p)).as(p).isNull();
        }
    }

    @Test
    void onlyCreationsLeaveReadersAlone() {
        assertThat(StreamChange.created("p", 0).wakesReaders()).isFalse();
        assertThat(StreamChange.advanced("p", 1).wakesReaders()).isTrue();
        assertThat(StreamChange.deleted("p").wakesReaders()).isTrue();
        assertThat(StreamChange.touched("p").wakesReaders()).isTrue();
    }
}
