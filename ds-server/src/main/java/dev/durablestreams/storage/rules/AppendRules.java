package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerCheck;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.protocol.StreamSeq;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import java.util.Map;

/**
 * The rules of a POST (append, close-only, append-and-close), as one pure function of the stream's current
 * metadata and the request. Every backend calls it while it holds the stream exclusively (a monitor, a row lock),
 * then stores what it decides.
 */
public final class AppendRules {
    private AppendRules() {}

    /**
     * Decides a POST in the protocol's check order: deleted (410), closed (409, or a retry of the close), content
     * type (409), producer (204 duplicate / 403 / 400 / 409), {@code Stream-Seq} (409), body (400), limits
     * (413 / 507).
     *
     * @param m the stream's metadata, including every commit validated before this one
     * @param known the remembered state of the request's producer, or {@code null}
     * @param body the request's body as validated by {@link AppendBody#parse}
     * @param totalBytes bytes all streams hold now, for {@link Limits#check}
     * @throws StreamError when the request is refused
     */
    public static AppendDecision decide(StreamMeta m, ProducerState known, AppendRequest req, AppendBody body,
                                        Limits limits, long totalBytes) {
        if (m.softDeleted()) throw StreamError.gone();
        Producer p = req.producer();
        if (m.closed()) return alreadyClosed(m, req);
        if (!req.closeOnly() && !MediaType.sameType(m.contentType(), req.contentType())) {
            throw new StreamError(Kind.CONFLICT, "content type does not match the stream's");
        }
        if (p != null) {
            ProducerCheck check = ProducerCheck.evaluate(known, p);
            if (check instanceof ProducerCheck.Duplicate d) return new AppendDecision.Answer(d.epoch(), d.lastSeq(), true);
            rejectProducer(check);
        }
        boolean seq = req.streamSeq() != null && !req.closeOnly();
        if (seq && !StreamSeq.mayFollow(m.lastSeq(), req.streamSeq())) {
            throw new StreamError(Kind.CONFLICT, "Stream-Seq must increase");
        }
        if (body.error() != null) throw new StreamError(Kind.BAD_REQUEST, body.error().getMessage());
        if (body.messages() == 0) throw new StreamError(Kind.BAD_REQUEST, "an empty JSON array appends nothing");
        byte[] bytes = body.stored();
        limits.check(m.ownBytes() + bytes.length, bytes.length, totalBytes);
        StreamMeta next = m.appended(m.tail() + bytes.length, req.close(),
                req.close() ? p : m.closedBy(), seq ? req.streamSeq() : m.lastSeq());
        return new AppendDecision.Write(next, m.tail(), bytes, p == null ? null : p.id(),
                p == null ? null : new ProducerState(p.epoch(), p.seq()));
    }

    /** A POST to a closed stream: a retry of the closing request or a close-only is fine, anything else 409. */
    private static AppendDecision alreadyClosed(StreamMeta m, AppendRequest req) {
        Producer p = req.producer();
        if (p != null && p.sameAs(m.closedBy())) return new AppendDecision.Answer(p.epoch(), p.seq(), true);
        if (req.closeOnly() && p == null) return new AppendDecision.Answer(-1, -1, false);
        throw new StreamError(Kind.CONFLICT, "stream is closed", Map.of(
                Headers.STREAM_CLOSED, "true", Headers.STREAM_NEXT_OFFSET, Offset.at(m.tail()).toString()));
    }

    private static void rejectProducer(ProducerCheck check) {
        if (check instanceof ProducerCheck.StaleEpoch st) {
            throw new StreamError(Kind.STALE_EPOCH, "producer epoch is stale",
                    Map.of(Headers.PRODUCER_EPOCH, Long.toString(st.currentEpoch())));
        }
        if (check instanceof ProducerCheck.BadEpochStart) {
            throw new StreamError(Kind.BAD_REQUEST, "a new producer epoch must start at seq 0");
        }
        if (check instanceof ProducerCheck.Gap g) {
            throw new StreamError(Kind.CONFLICT, "producer sequence gap", Map.of(
                    Headers.PRODUCER_EXPECTED_SEQ, Long.toString(g.expected()),
                    Headers.PRODUCER_RECEIVED_SEQ, Long.toString(g.received())));
        }
    }
}
