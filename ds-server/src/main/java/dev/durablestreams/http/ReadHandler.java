package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.metrics.HttpMetrics.ReadMode;
import dev.durablestreams.protocol.Cursor;
import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamStore;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** GET without SSE: catch-up reads and long-polls. */
final class ReadHandler {
    static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

    private final StreamStore store;
    private final ServerConfig config;
    private final HttpMetrics metrics;
    private final LiveReaders live;
    private final CacheScope cache;

    ReadHandler(StreamStore store, ServerConfig config, HttpMetrics metrics, LiveReaders live, CacheScope cache) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.live = live;
        this.cache = cache;
    }

    void catchUp(ChannelHandlerContext ctx, StreamRequest req, ReadFrom from) {
        store.read(req.path, from, config.maxRead()).whenComplete((r, err) -> Responses.reply(ctx, req.keepAlive, () -> {
            if (err != null) return Responses.error(err);
            if (from.kind() == ReadFrom.Kind.NOW) {
                FullHttpResponse resp = dataResponse(r);
                metrics.readBytes(r.byteCount());
                resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                return resp;
            }
            String etag = etag(r);
            String ifNoneMatch = req.http.headers().get(HttpHeaderNames.IF_NONE_MATCH); // a list header: first wins
            FullHttpResponse resp;
            if (etag.equals(ifNoneMatch)) {
                resp = Responses.empty(304);
            } else {
                resp = dataResponse(r);
                metrics.readBytes(r.byteCount());
            }
            resp.headers().set(HttpHeaderNames.ETAG, etag);
            // Historical chunks never change; the tail does, so it must be revalidated.
            cache.cacheControl(resp.headers(), req.path, r.upToDate() ? "no-cache" : CACHEABLE);
            return resp;
        }));
    }

    void longPoll(ChannelHandlerContext ctx, StreamRequest req, ReadFrom from) {
        String cursor = Cursor.next(req.single("cursor"), System.currentTimeMillis());
        new LongPoll(ctx, req, cursor).start(from);
    }

    /** One waiting long-poll: reads, and if nothing is there yet waits for the stream's next commit. */
    private final class LongPoll {
        private final ChannelHandlerContext ctx;
        private final StreamRequest req;
        private final String cursor;
        private final long deadline;
        private boolean done;
        /** The stream this poll started on: a stream re-created at the path is another one (404). */
        private long incarnation = StreamStore.ANY_INCARNATION;
        private ScheduledFuture<?> timer;
        private final ChannelFutureListener onClose;
        /** While waiting at the tail: the empty read and the wake-up, so a drain can answer 204 at once. */
        private ReadResult waitingAt;
        private Runnable wake;
        private LiveReaders.Entry registration;

        LongPoll(ChannelHandlerContext ctx, StreamRequest req, String cursor) {
            this.ctx = ctx;
            this.req = req;
            this.cursor = cursor;
            this.deadline = System.nanoTime() + config.longPollTimeout().toNanos();
            this.onClose = f -> ctx.executor().execute(() -> finish(null));
        }

        void start(ReadFrom from) {
            ctx.channel().closeFuture().addListener(onClose);
            registration = live.add(ReadMode.LONG_POLL, ctx.executor(), this::endForDrain);
            attempt(from);
        }

        /** The server drains: a waiting long-poll answers 204 now; one mid-read does when it reaches the tail. */
        private void endForDrain() {
            if (done || waitingAt == null) return;
            waitingAt.nextCommit().unsubscribe(wake);
            finish(emptyAtTail(waitingAt, true));
        }

        private void attempt(ReadFrom from) {
            EventLoops.whenComplete(ctx, store.read(req.path, incarnation, from, config.maxRead()), (r, err) -> {
                if (done) return;
                if (err != null) {
                    finish(Responses.error(err));
                    return;
                }
                incarnation = r.incarnation();
                if (!r.isEmpty()) {
                    FullHttpResponse resp = dataResponse(r);
                    metrics.readBytes(r.byteCount());
                    resp.headers().set(Headers.STREAM_CURSOR, cursor);
                    resp.headers().set(HttpHeaderNames.ETAG, etag(r));
                    cache.cacheControl(resp.headers(), req.path, CACHEABLE);
                    finish(resp);
                } else if (r.closed()) {
                    finish(emptyAtTail(r, false));
                } else {
                    await(r);
                }
            });
        }

        private void await(ReadResult r) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || live.draining()) {
                finish(emptyAtTail(r, true));
                return;
            }
            ReadFrom next = ReadFrom.at(r.next());
            Runnable wake = () -> ctx.executor().execute(() -> {
                if (!done) {
                    waitingAt = null;
                    cancelTimer();
                    attempt(next);
                }
            });
            if (!r.nextCommit().subscribe(wake)) {
                attempt(next);
                return;
            }
            waitingAt = r;
            this.wake = wake;
            timer = ctx.executor().schedule(() -> {
                r.nextCommit().unsubscribe(wake);
                finish(emptyAtTail(r, true));
            }, remaining, TimeUnit.NANOSECONDS);
        }

        private FullHttpResponse emptyAtTail(ReadResult r, boolean withCursor) {
            FullHttpResponse resp = Responses.empty(204);
            resp.headers().set(Headers.STREAM_NEXT_OFFSET, r.next().toString());
            resp.headers().set(Headers.STREAM_UP_TO_DATE, "true");
            if (r.closed()) resp.headers().set(Headers.STREAM_CLOSED, "true");
            else if (withCursor) resp.headers().set(Headers.STREAM_CURSOR, cursor);
            resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            return resp;
        }

        private void cancelTimer() {
            if (timer != null) timer.cancel(false);
        }

        /** Sends the response (or, with {@code null}, just stops because the client went away). */
        private void finish(FullHttpResponse resp) {
            if (done) return;
            done = true;
            waitingAt = null;
            live.remove(registration);
            cancelTimer();
            // Keep-alive connections carry many long-polls; each must not leave a listener behind.
            ctx.channel().closeFuture().removeListener(onClose);
            if (resp != null && ctx.channel().isActive()) {
                Responses.send(ctx, resp, req.keepAlive);
            } else if (resp != null) {
                resp.release();
            }
        }
    }

    static FullHttpResponse dataResponse(ReadResult r) {
        FullHttpResponse resp = Responses.withBody(200, r.contentType(), Bodies.of(r));
        resp.headers().set(Headers.STREAM_NEXT_OFFSET, r.next().toString());
        if (r.upToDate()) resp.headers().set(Headers.STREAM_UP_TO_DATE, "true");
        if (r.closed()) resp.headers().set(Headers.STREAM_CLOSED, "true");
        return resp;
    }

    /** Strong ETag of a chunk: which life of the stream, which range, and whether it shows the close. */
    static String etag(ReadResult r) {
        return "\"" + r.incarnation() + ":" + r.start() + ":" + r.next() + (r.closed() ? ":c" : "") + "\"";
    }

    static ReadFrom requireOffset(StreamRequest req) {
        String offset = req.single("offset");
        if (offset == null) throw ProtocolException.badRequest("live reads need an offset");
        return ReadFrom.parse(offset);
    }
}
