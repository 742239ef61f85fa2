package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.JsonMessages;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The rules of a PUT, as pure functions every backend calls: an existing stream (200 when identical, else 409), a
 * fork's checks against its source, the sub-offset prefix, lifetime inheritance and limits. Expired streams are the
 * caller's to remove first.
 */
public final class CreateRules {
    private CreateRules() {}

    /**
     * Checks a PUT to a path where {@code existing} lives: returns when the request describes it exactly (200),
     * throws 409 when it differs or the stream is soft-deleted.
     *
     * @param existingSourcePath the path of the stream {@code existing} forks, or {@code null}
     */
    public static void requireSame(StreamMeta existing, String existingSourcePath, CreateRequest req) {
        if (existing.softDeleted()) {
            throw new StreamError(Kind.CONFLICT, "stream was deleted; its path is retained while forks exist");
        }
        if (!sameConfig(existing, existingSourcePath, req)) {
            throw new StreamError(Kind.CONFLICT, "stream exists with a different configuration");
        }
    }

    private static boolean sameConfig(StreamMeta s, String sourcePath, CreateRequest req) {
        ForkSpec fork = req.fork();
        if (req.contentType() != null ? !MediaType.sameType(s.contentType(), req.contentType())
                : fork == null && !MediaType.sameType(s.contentType(), MediaType.DEFAULT)) {
            return false;
        }
        boolean inheritedLifetime = fork != null && req.ttlSeconds() == null && req.expiresAt() == null;
        if (!inheritedLifetime
                && (!Objects.equals(s.ttl(), req.ttlSeconds()) || !Objects.equals(s.expiresAt(), req.expiresAt()))) {
            return false;
        }
        if (s.closed() != req.closed()) return false;
        if (sourcePath == null || fork == null) return sourcePath == null && fork == null;
        return sourcePath.equals(fork.sourcePath())
                && (fork.offset() == null || fork.offset().equals(Offset.at(s.forkOffset())))
                && fork.subOffset() == s.forkSubOffset();
    }

    /** The content type a create will most likely get, to validate its body before any lock. */
    public static String expectedContentType(CreateRequest req, String sourceContentType) {
        if (req.contentType() != null) return req.contentType();
        return sourceContentType != null ? sourceContentType : MediaType.DEFAULT;
    }

    /**
     * Checks a fork against its source: 404 when missing, 409 when soft-deleted or of another content type, 400
     * when the chain would be too deep or the offsets name no place in the source.
     *
     * @param src the source's metadata, or {@code null} when there is no usable stream at its path
     * @param srcDepth forks between the source and the root of its chain
     * @param srcTail the source's committed tail
     */
    public static ForkPoint fork(StreamMeta src, int srcDepth, long srcTail, CreateRequest req, int maxForkDepth) {
        ForkSpec fork = req.fork();
        if (src == null) throw new StreamError(Kind.NOT_FOUND, "fork source not found");
        if (src.softDeleted()) throw new StreamError(Kind.CONFLICT, "fork source was deleted");
        if (srcDepth >= maxForkDepth) {
            throw new StreamError(Kind.BAD_REQUEST, "fork chain too deep: at most " + maxForkDepth
                    + " forks deep (--max-fork-depth)");
        }
        String contentType = req.contentType() == null ? src.contentType() : req.contentType();
        if (!MediaType.sameType(contentType, src.contentType())) {
            throw new StreamError(Kind.CONFLICT, "fork content type differs from the source's");
        }
        long at = srcTail;
        if (fork.offset() != null) {
            if (fork.offset().readSeq() != 0 || fork.offset().position() > srcTail) {
                throw new StreamError(Kind.BAD_REQUEST, "fork offset is beyond the source's tail");
            }
            at = fork.offset().position();
        }
        if (fork.subOffset() > 0) {
            if (fork.offset() == null) {
                throw new StreamError(Kind.BAD_REQUEST, "Stream-Fork-Sub-Offset needs an explicit Stream-Fork-Offset");
            }
            if (at >= srcTail) throw new StreamError(Kind.BAD_REQUEST, "no data at the fork offset to take a sub-offset of");
        }
        return new ForkPoint(contentType, at, srcTail, fork.subOffset());
    }

    /**
     * The first {@code subOffset} bytes (or JSON messages) of {@code record}, the source's record starting at the
     * fork offset as the source sees it ({@code null} when no record starts there).
     */
    public static byte[] subOffsetPrefix(ForkPoint point, byte[] record, boolean json) {
        if (!point.needsRecord()) return new byte[0];
        if (record == null) throw new StreamError(Kind.BAD_REQUEST, "fork offset is not at the start of an append");
        long n = point.subOffset();
        int len;
        if (json) {
            len = n > Integer.MAX_VALUE ? -1 : JsonMessages.prefixLength(record, (int) n);
        } else {
            len = n > record.length ? -1 : (int) n;
        }
        if (len < 0) throw new StreamError(Kind.BAD_REQUEST, "Stream-Fork-Sub-Offset is larger than the append");
        return Arrays.copyOf(record, len);
    }

    /** A stream that is no fork: its body (400 when invalid JSON), limits, then the new metadata. */
    public static CreatePlan plain(long id, long nowMillis, CreateRequest req, InitialBody body, Limits limits,
                                   long totalBytes) {
        String contentType = req.contentType() == null ? MediaType.DEFAULT : req.contentType();
        byte[] initial = body.storedAs(contentType);
        limits.check(initial.length, initial.length, totalBytes);
        StreamMeta meta = new StreamMeta(id, req.path(), contentType, orNone(req.ttlSeconds()),
                req.expiresAt() == null ? -1 : req.expiresAt().toEpochMilli(), nowMillis, -1, 0, 0,
                initial.length, req.closed(), null, null, 0, false, nowMillis);
        return new CreatePlan(meta, initial.length == 0 ? List.of() : List.of(new NewRecord(0, initial)));
    }

    /**
     * A fork of {@code src} at {@code point}: its body, limits, then the new metadata. Without a lifetime of its
     * own a fork inherits its source's.
     *
     * @param prefix from {@link #subOffsetPrefix}
     */
    public static CreatePlan fork(long id, long nowMillis, CreateRequest req, InitialBody body, StreamMeta src,
                                  ForkPoint point, byte[] prefix, Limits limits, long totalBytes) {
        byte[] initial = body.storedAs(point.contentType());
        long added = prefix.length + initial.length;
        limits.check(added, added, totalBytes);
        boolean inherit = req.ttlSeconds() == null && req.expiresAt() == null;
        long ttl = inherit ? src.ttlSeconds() : orNone(req.ttlSeconds());
        long expiresAt = inherit ? src.expiresAtMillis() : req.expiresAt() == null ? -1 : req.expiresAt().toEpochMilli();
        List<NewRecord> records = new ArrayList<>(2);
        long tail = point.at();
        if (prefix.length > 0) {
            records.add(new NewRecord(tail, prefix));
            tail += prefix.length;
        }
        if (initial.length > 0) {
            records.add(new NewRecord(tail, initial));
            tail += initial.length;
        }
        StreamMeta meta = new StreamMeta(id, req.path(), point.contentType(), ttl, expiresAt, nowMillis, src.id(),
                point.at(), point.subOffset(), tail, req.closed(), null, null, 0, false, nowMillis);
        return new CreatePlan(meta, records);
    }

    private static long orNone(Long v) {
        return v == null ? -1 : v;
    }
}
