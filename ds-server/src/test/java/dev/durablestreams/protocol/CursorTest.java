package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CursorTest {
    private static final long NOW = Cursor.EPOCH_MILLIS + 1000 * Cursor.INTERVAL_MILLIS + 5;

    @Test
    void countsTwentySecondIntervalsSinceTheEpoch() {
        assertThat(Cursor.intervalAt(Cursor.EPOCH_MILLIS)).isZero();
        assertThat(Cursor.intervalAt(Cursor.EPOCH_MILLIS + 19_999)).isZero();
        assertThat(Cursor.intervalAt(Cursor.EPOCH_MILLIS + 20_000)).isEqualTo(1);
    }

    @Test
    void missingInvalidOrOldCursorsGetTheCurrentInterval() {
        assertThat(Cursor.next(null, NOW, 1)).isEqualTo("1000");
        assertThat(Cursor.next("", NOW, 1)).isEqualTo("1000");
        assertThat(Cursor.next("abc", NOW, 1)).isEqualTo("1000");
        assertThat(Cursor.next("-5", NOW, 1)).isEqualTo("1000");
        assertThat(Cursor.next("999", NOW, 1)).isEqualTo("1000");
    }

    @Test
    void aCurrentCursorAdvancesByTheJitterInWholeIntervals() {
        assertThat(Cursor.next("1000", NOW, 1)).isEqualTo("1001");
        assertThat(Cursor.next("1000", NOW, 20)).isEqualTo("1001");
        assertThat(Cursor.next("1000", NOW, 21)).isEqualTo("1002");
        assertThat(Cursor.next("1000", NOW, 3600)).isEqualTo("1180");
        assertThat(Cursor.next("1500", NOW, 1)).isEqualTo("1501");
    }

    @Test
    void randomJitterAlwaysMovesForward() {
        for (int i = 0; i < 1000; i++) {
            long next = Long.parseLong(Cursor.next("1000", NOW));
            assertThat(next).isBetween(1001L, 1180L);
        }
    }
}
