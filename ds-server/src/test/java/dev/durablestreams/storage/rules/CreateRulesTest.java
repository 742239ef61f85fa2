package dev.durablestreams.storage.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The PUT rules as pure functions: identical re-creates, fork checks, sub-offsets, lifetime inheritance, limits. */
class CreateRulesTest {
    static final String TEXT = "text/plain";
    static final String JSON = "application/json";
    static final byte[] NONE = new byte[0];

    static StreamMeta source(String contentType, long tail, long ttl, boolean softDeleted) {
        return new StreamMeta(1, "src", contentType, ttl, -1, 0, -1, 0, 0, tail, false, null, null, 0, softDeleted, 0);
    }

    static CreateRequest put(String contentType, Long ttl, boolean closed, String body, ForkSpec fork) {
        return new CreateRequest("s", contentType, ttl, null, closed, body.getBytes(StandardCharsets.UTF_8), fork);
    }

    static Kind refusal(Runnable r) {
        try {
            r.run();
        } catch (StreamError e) {
            return e.kind();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void plainCreateStoresItsBodyAtZero() {
        CreatePlan plan = CreateRules.plain(5, 1000, put(null, 60L, true, "hi", null), InitialBody.parse(
                "hi".getBytes(StandardCharsets.UTF_8), "application/octet-stream"), Limits.NONE, 0);
        assertThat(plan.meta().id()).isEqualTo(5);
        assertThat(plan.meta().contentType()).isEqualTo("application/octet-stream");
        assertThat(plan.meta().tail()).isEqualTo(2);
        assertThat(plan.meta().closed()).isTrue();
        assertThat(plan.meta().ttl()).isEqualTo(60L);
        assertThat(plan.meta().lastAccessMillis()).isEqualTo(1000);
        assertThat(plan.records()).singleElement().satisfies(r -> assertThat(r.offset()).isZero());
        assertThat(plan.bytes()).isEqualTo(2);
    }

    @Test
    void plainCreateChecksBodyThenLimits() {
        CreateRequest bad = put(JSON, null, false, "[", null);
        assertThat(refusal(() -> CreateRules.plain(1, 0, bad, InitialBody.parse(bad.body(), JSON), new Limits(0, 0), 0)))
                .isEqualTo(Kind.BAD_REQUEST);
        CreateRequest big = put(TEXT, null, false, "abc", null);
        assertThat(refusal(() -> CreateRules.plain(1, 0, big, InitialBody.parse(big.body(), TEXT), new Limits(2, 9), 0)))
                .isEqualTo(Kind.TOO_LARGE);
        assertThat(refusal(() -> CreateRules.plain(1, 0, big, InitialBody.parse(big.body(), TEXT), new Limits(9, 9), 7)))
                .isEqualTo(Kind.INSUFFICIENT_STORAGE);
    }

    @Test
    void identicalRecreateIsAcceptedAndAnyDifferenceConflicts() {
        StreamMeta existing = CreateRules.plain(5, 0, put(TEXT, 60L, false, "", null),
                InitialBody.parse(NONE, TEXT), Limits.NONE, 0).meta();
        assertThatCode(() -> CreateRules.requireSame(existing, null, put(TEXT, 60L, false, "other body", null)))
                .doesNotThrowAnyException();
        assertThat(refusal(() -> CreateRules.requireSame(existing, null, put(JSON, 60L, false, "", null))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.requireSame(existing, null, put(TEXT, 61L, false, "", null))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.requireSame(existing, null, put(TEXT, 60L, true, "", null))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.requireSame(existing, null,
                put(TEXT, 60L, false, "", new ForkSpec("src", null, 0))))).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void recreatingAForkComparesItsSourceAndOffsets() {
        StreamMeta src = source(TEXT, 10, 30, false);
        CreateRequest req = put(null, null, false, "", new ForkSpec("src", Offset.at(4), 0));
        ForkPoint point = CreateRules.fork(src, 0, 10, req, 100);
        StreamMeta fork = CreateRules.fork(2, 0, req, InitialBody.parse(NONE, TEXT), src, point, NONE, Limits.NONE, 0)
                .meta();
        assertThatCode(() -> CreateRules.requireSame(fork, "src", req)).doesNotThrowAnyException();
        assertThatCode(() -> CreateRules.requireSame(fork, "src",
                put(null, null, false, "", new ForkSpec("src", null, 0)))).doesNotThrowAnyException();
        assertThat(refusal(() -> CreateRules.requireSame(fork, "src",
                put(null, null, false, "", new ForkSpec("src", Offset.at(5), 0))))).isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.requireSame(fork, "other", req))).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void softDeletedPathConflicts() {
        assertThat(refusal(() -> CreateRules.requireSame(source(TEXT, 0, -1, true), null, put(TEXT, null, false, "", null))))
                .isEqualTo(Kind.CONFLICT);
    }

    @Test
    void forkChecksInOrder() {
        ForkSpec atTail = new ForkSpec("src", null, 0);
        assertThat(refusal(() -> CreateRules.fork(null, 0, 0, put(null, null, false, "", atTail), 100)))
                .isEqualTo(Kind.NOT_FOUND);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, true), 0, 5, put(null, null, false, "", atTail), 100)))
                .isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, false), 3, 5, put(null, null, false, "", atTail), 3)))
                .isEqualTo(Kind.BAD_REQUEST);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, false), 0, 5, put(JSON, null, false, "", atTail), 3)))
                .isEqualTo(Kind.CONFLICT);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, false), 0, 5,
                put(null, null, false, "", new ForkSpec("src", Offset.at(6), 0)), 3))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, false), 0, 5,
                put(null, null, false, "", new ForkSpec("src", null, 1)), 3))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(refusal(() -> CreateRules.fork(source(TEXT, 5, -1, false), 0, 5,
                put(null, null, false, "", new ForkSpec("src", Offset.at(5), 1)), 3))).isEqualTo(Kind.BAD_REQUEST);
    }

    @Test
    void forkAtTheTailInheritsContentTypeAndLifetime() {
        StreamMeta src = source(JSON, 8, 30, false);
        CreateRequest req = put(null, null, true, "[1]", new ForkSpec("src", null, 0));
        ForkPoint point = CreateRules.fork(src, 0, 8, req, 100);
        assertThat(point.at()).isEqualTo(8);
        assertThat(point.needsRecord()).isFalse();
        CreatePlan plan = CreateRules.fork(2, 0, req, InitialBody.parse(req.body(), JSON), src, point,
                CreateRules.subOffsetPrefix(point, null, true), Limits.NONE, 0);
        assertThat(plan.meta().contentType()).isEqualTo(JSON);
        assertThat(plan.meta().ttl()).isEqualTo(30L);
        assertThat(plan.meta().forkSourceId()).isEqualTo(1);
        assertThat(plan.meta().forkOffset()).isEqualTo(8);
        assertThat(plan.meta().closed()).isTrue();
        assertThat(plan.records()).singleElement().satisfies(r -> assertThat(r.offset()).isEqualTo(8));
        assertThat(plan.bytes()).isEqualTo(plan.meta().tail() - 8);
    }

    @Test
    void forkWithItsOwnLifetimeInheritsNeither() {
        StreamMeta src = new StreamMeta(1, "src", TEXT, 30, 99_000, 0, -1, 0, 0, 0, false, null, null, 0, false, 0);
        CreateRequest req = new CreateRequest("s", null, null, Instant.ofEpochMilli(5_000), false, NONE,
                new ForkSpec("src", null, 0));
        CreatePlan plan = CreateRules.fork(2, 0, req, InitialBody.parse(NONE, TEXT), src,
                CreateRules.fork(src, 0, 0, req, 100), NONE, Limits.NONE, 0);
        assertThat(plan.meta().ttl()).isNull();
        assertThat(plan.meta().expiresAtMillis()).isEqualTo(5_000);
    }

    @Test
    void subOffsetTakesBytesOrJsonMessagesOfTheRecord() {
        ForkPoint two = new ForkPoint(TEXT, 0, 10, 2);
        assertThat(CreateRules.subOffsetPrefix(two, "abcd".getBytes(StandardCharsets.UTF_8), false))
                .asString(StandardCharsets.UTF_8).isEqualTo("ab");
        assertThat(refusal(() -> CreateRules.subOffsetPrefix(two, "a".getBytes(StandardCharsets.UTF_8), false)))
                .isEqualTo(Kind.BAD_REQUEST);
        assertThat(refusal(() -> CreateRules.subOffsetPrefix(two, null, false))).isEqualTo(Kind.BAD_REQUEST);
        byte[] messages = dev.durablestreams.protocol.JsonMessages.parse("[1,2,3]".getBytes(StandardCharsets.UTF_8))
                .stored();
        byte[] prefix = CreateRules.subOffsetPrefix(two, messages, true);
        assertThat(dev.durablestreams.protocol.JsonMessages.prefixLength(messages, 2)).isEqualTo(prefix.length);
        assertThat(prefix.length).isLessThan(messages.length);
    }
}
