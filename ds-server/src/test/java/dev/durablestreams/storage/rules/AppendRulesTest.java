package dev.durablestreams.storage.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The POST rules as a pure function: outcomes, new metadata and the record to write, and the check order. */
class AppendRulesTest {
    static final String TEXT = "text/plain";
    static final String JSON = "application/json";

    static StreamMeta stream(String contentType, long tail) {
        return new StreamMeta(7, "s", contentType, -1, -1, 0, -1, 0, 0, tail, false, null, null, 0, false, 0);
    }

    static AppendRequest post(String body, boolean close, String seq, Producer p) {
        return new AppendRequest("s", TEXT, body.getBytes(StandardCharsets.UTF_8), close, seq, p);
    }

    static AppendDecision decide(StreamMeta m, ProducerState known, AppendRequest req) {
        return AppendRules.decide(m, known, req, AppendBody.parse(m.json(), req), Limits.NONE, 0);
    }

    static Kind refusal(StreamMeta m, ProducerState known, AppendRequest req) {
        try {
            decide(m, known, req);
        } catch (StreamError e) {
            return e.kind();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void appendWritesTheRecordAtTheTailAndAdvancesIt() {
        Producer p = new Producer("p", 2, 0);
        AppendDecision.Write w = (AppendDecision.Write) decide(stream(TEXT, 5), null, post("abc", false, "x", p));
        assertThat(w.recordOffset()).isEqualTo(5);
        assertThat(w.record()).asString(StandardCharsets.UTF_8).isEqualTo("abc");
        assertThat(w.next().tail()).isEqualTo(8);
        assertThat(w.next().closed()).isFalse();
        assertThat(w.next().lastSeq()).isEqualTo("x");
        assertThat(w.producerId()).isEqualTo("p");
        assertThat(w.producer()).isEqualTo(new ProducerState(2, 0));
    }

    @Test
    void appendAndCloseRemembersTheClosingProducer() {
        Producer p = new Producer("p", 0, 0);
        AppendDecision.Write w = (AppendDecision.Write) decide(stream(TEXT, 0), null, post("a", true, null, p));
        assertThat(w.next().closed()).isTrue();
        assertThat(w.next().closedBy()).isEqualTo(p);
        assertThat(w.next().tail()).isEqualTo(1);
    }

    @Test
    void closeOnlyWritesNoRecordAndIgnoresStreamSeqAndContentType() {
        StreamMeta m = stream(TEXT, 3).appended(3, false, null, "z");
        AppendRequest req = new AppendRequest("s", null, new byte[0], true, "a", null);
        AppendDecision.Write w = (AppendDecision.Write) decide(m, null, req);
        assertThat(w.record()).isEmpty();
        assertThat(w.next().closed()).isTrue();
        assertThat(w.next().lastSeq()).isEqualTo("z");
        assertThat(w.next().tail()).isEqualTo(3);
    }

    @Test
    void closedStreamAnswersRetriesOfItsCloseAndRefusesEverythingElse() {
        Producer closer = new Producer("p", 1, 4);
        StreamMeta closed = stream(TEXT, 9).appended(9, true, closer, null);
        assertThat(decide(closed, null, post("", true, null, closer))).isEqualTo(new AppendDecision.Answer(1, 4, true));
        assertThat(decide(closed, null, post("", true, null, null))).isEqualTo(new AppendDecision.Answer(-1, -1, false));
        assertThatThrownBy(() -> decide(closed, null, post("x", false, null, null)))
                .isInstanceOfSatisfying(StreamError.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
                    assertThat(e.headers()).containsEntry(Headers.STREAM_CLOSED, "true")
                            .containsEntry(Headers.STREAM_NEXT_OFFSET, "0000000000000000_0000000000000009");
                });
    }

    @Test
    void producerStateMachine() {
        StreamMeta m = stream(TEXT, 0);
        ProducerState known = new ProducerState(3, 5);
        assertThat(decide(m, known, post("x", false, null, new Producer("p", 3, 5))))
                .isEqualTo(new AppendDecision.Answer(3, 5, true));
        assertThat(refusal(m, known, post("x", false, null, new Producer("p", 2, 6)))).isEqualTo(Kind.STALE_EPOCH);
        assertThat(refusal(m, known, post("x", false, null, new Producer("p", 4, 1)))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(refusal(m, known, post("x", false, null, new Producer("p", 3, 7)))).isEqualTo(Kind.CONFLICT);
        assertThat(decide(m, known, post("x", false, null, new Producer("p", 3, 6))))
                .isInstanceOf(AppendDecision.Write.class);
    }

    @Test
    void streamSeqMustIncrease() {
        StreamMeta m = stream(TEXT, 0).appended(0, false, null, "b");
        assertThat(refusal(m, null, post("x", false, "b", null))).isEqualTo(Kind.CONFLICT);
        assertThat(refusal(m, null, post("x", false, "a", null))).isEqualTo(Kind.CONFLICT);
        assertThat(decide(m, null, post("x", false, "c", null))).isInstanceOf(AppendDecision.Write.class);
    }

    @Test
    void checkOrderDeletedThenClosedThenContentTypeThenProducerThenSeqThenBodyThenLimits() {
        StreamMeta json = stream(JSON, 0).appended(0, false, null, "m");
        AppendRequest bad = new AppendRequest("s", JSON, "[".getBytes(StandardCharsets.UTF_8), false, "a",
                new Producer("p", 0, 3));
        StreamMeta deleted = new StreamMeta(7, "s", JSON, -1, -1, 0, -1, 0, 0, 0, true, null, null, 1, true, 0);
        assertThat(refusal(deleted, null, bad)).isEqualTo(Kind.GONE);
        StreamMeta closed = json.appended(0, true, null, "m");
        assertThat(refusal(closed, null, bad)).isEqualTo(Kind.CONFLICT);
        AppendRequest wrongType = new AppendRequest("s", TEXT, "[".getBytes(StandardCharsets.UTF_8), false, "a",
                new Producer("p", 0, 3));
        assertThat(refusal(json, null, wrongType)).isEqualTo(Kind.CONFLICT);
        // producer gap (409) before the Stream-Seq conflict and the invalid body
        assertThatThrownBy(() -> decide(json, null, bad)).isInstanceOfSatisfying(StreamError.class,
                e -> assertThat(e.headers()).containsKey(Headers.PRODUCER_EXPECTED_SEQ));
        AppendRequest seqAndBody = new AppendRequest("s", JSON, "[".getBytes(StandardCharsets.UTF_8), false, "a", null);
        assertThat(refusal(json, null, seqAndBody)).isEqualTo(Kind.CONFLICT);
        AppendRequest bodyOnly = new AppendRequest("s", JSON, "[".getBytes(StandardCharsets.UTF_8), false, "z", null);
        assertThat(refusal(json, null, bodyOnly)).isEqualTo(Kind.BAD_REQUEST);
    }

    @Test
    void emptyJsonArrayAppendsNothing() {
        AppendRequest req = new AppendRequest("s", JSON, "[]".getBytes(StandardCharsets.UTF_8), false, null, null);
        assertThat(refusal(stream(JSON, 0), null, req)).isEqualTo(Kind.BAD_REQUEST);
    }

    @Test
    void jsonMessagesAreStoredFlattened() {
        AppendRequest req = new AppendRequest("s", JSON, "[1, {\"a\":2}]".getBytes(StandardCharsets.UTF_8), false,
                null, null);
        AppendDecision.Write w = (AppendDecision.Write) decide(stream(JSON, 0), null, req);
        assertThat(w.next().tail()).isEqualTo(w.record().length);
        assertThat(AppendBody.parse(true, req).messages()).isEqualTo(2);
    }

    @Test
    void limitsCountOnlyTheStreamsOwnBytes() {
        // A fork at 100 holding 5 bytes of its own: 5 + 3 fits a 10-byte stream limit.
        StreamMeta fork = new StreamMeta(7, "f", TEXT, -1, -1, 0, 1, 100, 0, 105, false, null, null, 0, false, 0);
        AppendRequest req = post("abc", false, null, null);
        Limits tight = new Limits(8, 1_000);
        assertThat(AppendRules.decide(fork, null, req, AppendBody.parse(false, req), tight, 0))
                .isInstanceOf(AppendDecision.Write.class);
        assertThatThrownBy(() -> AppendRules.decide(fork, null, req, AppendBody.parse(false, req), new Limits(7, 1_000), 0))
                .isInstanceOfSatisfying(StreamError.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE));
        assertThatThrownBy(() -> AppendRules.decide(fork, null, req, AppendBody.parse(false, req), tight, 998))
                .isInstanceOfSatisfying(StreamError.class, e -> assertThat(e.kind()).isEqualTo(Kind.INSUFFICIENT_STORAGE));
    }
}
