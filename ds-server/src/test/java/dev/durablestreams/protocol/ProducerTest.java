package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProducerTest {

    @Test
    void absentHeadersMeanNoProducer() {
        assertThat(Producer.fromHeaders(null, null, null)).isNull();
    }

    @Test
    void partialHeadersAreRejected() {
        assertThatThrownBy(() -> Producer.fromHeaders("p", "0", null)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Producer.fromHeaders(null, "0", "0")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Producer.fromHeaders("p", null, "0")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void emptyIdIsRejected() {
        assertThatThrownBy(() -> Producer.fromHeaders("", "0", "0")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void numbersAreBoundedByTwoToTheFiftyThreeMinusOne() {
        Producer max = Producer.fromHeaders("p", "9007199254740991", "9007199254740991");
        assertThat(max.epoch()).isEqualTo(Producer.MAX_VALUE);
        assertThat(max.seq()).isEqualTo(Producer.MAX_VALUE);
        assertThatThrownBy(() -> Producer.fromHeaders("p", "9007199254740992", "0")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Producer.fromHeaders("p", "0", "9007199254740992")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Producer.fromHeaders("p", "99999999999999999999", "0")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void numbersAreDigitsOnly() {
        for (String bad : new String[] {"-1", "+1", "1.0", "1e3", "", " 1", "abc"}) {
            assertThatThrownBy(() -> Producer.fromHeaders("p", bad, "0")).as(bad).isInstanceOf(ProtocolException.class);
            assertThatThrownBy(() -> Producer.fromHeaders("p", "0", bad)).as(bad).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void stateMachineFollowsTheSpecTable() {
        Producer p = new Producer("p", 1, 0);
        assertThat(ProducerCheck.evaluate(null, new Producer("p", 7, 0))).isInstanceOf(ProducerCheck.Accept.class);
        assertThat(ProducerCheck.evaluate(null, new Producer("p", 0, 3))).isEqualTo(new ProducerCheck.Gap(0, 3));

        ProducerState s = new ProducerState(2, 5);
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 1, 6))).isEqualTo(new ProducerCheck.StaleEpoch(2));
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 3, 1))).isInstanceOf(ProducerCheck.BadEpochStart.class);
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 3, 0))).isInstanceOf(ProducerCheck.Accept.class);
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 2, 5))).isEqualTo(new ProducerCheck.Duplicate(2, 5));
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 2, 0))).isEqualTo(new ProducerCheck.Duplicate(2, 5));
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 2, 6))).isInstanceOf(ProducerCheck.Accept.class);
        assertThat(ProducerCheck.evaluate(s, new Producer("p", 2, 8))).isEqualTo(new ProducerCheck.Gap(6, 8));
        assertThat(p.sameAs(new Producer("p", 1, 0))).isTrue();
        assertThat(p.sameAs(new Producer("p", 1, 1))).isFalse();
        assertThat(p.sameAs(null)).isFalse();
    }

    @Test
    void streamSeqComparesBytewise() {
        assertThat(StreamSeq.mayFollow(null, "anything")).isTrue();
        assertThat(StreamSeq.mayFollow("2", "10")).isFalse();
        assertThat(StreamSeq.mayFollow("09", "10")).isTrue();
        assertThat(StreamSeq.mayFollow("a", "B")).isFalse();
        assertThat(StreamSeq.mayFollow("a", "a")).isFalse();
        assertThat(StreamSeq.mayFollow("a", "ab")).isTrue();
    }
}
