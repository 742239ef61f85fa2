package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.metrics.HttpMetrics.ReadMode;
import dev.durablestreams.protocol.Cursor;
import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.protocol.SseFormat;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SSE response. Runs on its channel's event loop: read a bounded chunk, write a data event and its
 * control event, repeat until caught up, then wait for the stream's next commit. When the socket's buffer is
 * full it stops reading storage until the channel is writable again, so a slow reader costs at most one chunk
 * ({@code --sse-chunk}, smaller than {@code --max-read}) beyond the socket's buffer; it resumes from storage
 * where it left off.
 */
final class SseSession {
    private final ChannelHandlerContext ctx;
    private final StreamRequest req;
    private final StreamStore store;
    private final ServerConfig config;
    private final SseFrameCache frames;
    private final CacheScope cache;
    private final String clientCursor;
    private final HttpMetrics metrics;
    private final LiveReaders live;
    private LiveReaders.Entry registration;

    private ReadFrom from;
    /** The stream this response started on: once it is deleted the response ends, whatever is re-created. */
    private long incarnation = StreamStore.ANY_INCARNATION;
    private boolean headersSent;
    private boolean sentEvent;
    private boolean base64;
    private boolean ended;
    private boolean waitingForWritable;
    private CommitSignal waitingOn;
    private Runnable wake;
    private ScheduledFuture<?> keepAlive;
    private long lastWriteNanos = System.nanoTime();
    private ScheduledFuture<?> maxDuration;

    SseSession(ChannelHandlerContext ctx, StreamRequest req, StreamStore store, ServerConfig config,
               SseFrameCache frames, CacheScope cache, ReadFrom from, HttpMetrics metrics, LiveReaders live) {
        this.metrics = metrics;
        this.live = live;
        this.ctx = ctx;
        this.cache = cache;
        this.req = req;
        this.store = store;
        this.config = config;
        this.frames = frames;
        this.from = from;
        this.clientCursor = req.single("cursor");
    }

    void start() {
        ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(this::stop));
        // A drain ends the response like --sse-max-duration does; clients reconnect from their last offset.
        registration = live.add(ReadMode.SSE, ctx.executor(), () -> {
            if (headersSent) end();
        });
        maxDuration = ctx.executor().schedule(this::end, config.sseMaxDuration().toMillis(), TimeUnit.MILLISECONDS);
        // Ticks at half the interval: an idle response gets a keep-alive at least once per interval.
        long tick = Math.max(1, config.sseKeepAlive().toMillis() / 2);
        keepAlive = ctx.executor().scheduleAtFixedRate(this::keepAliveTick, tick, tick, TimeUnit.MILLISECONDS);
        pump();
    }

    /** Called by the channel handler when the socket drains. */
    void writabilityChanged() {
        if (waitingForWritable && ctx.channel().isWritable()) {
            waitingForWritable = false;
            pump();
        }
    }

    private void pump() {
        if (ended) return;
        if (!ctx.channel().isWritable()) {
            waitingForWritable = true;
            return;
        }
        EventLoops.whenComplete(ctx, store.read(req.path, incarnation, from, config.sseChunk()), (r, err) -> {
            if (ended) return;
            if (err != null) {
                if (headersSent) end();
                else {
                    ended = true;
                    cancelTimers();
                    Responses.send(ctx, Responses.error(err), false);
                }
                return;
            }
            onRead(r);
        });
    }

    private void onRead(ReadResult r) {
        if (!headersSent) sendHeaders(r.contentType());
        incarnation = r.incarnation();
        from = ReadFrom.at(r.next());
        if (!r.isEmpty()) {
            metrics.readBytes(r.byteCount());
            writeFrame(dataAndControl(r));
            if (r.closed()) end();
            else if (r.upToDate()) waitFor(r.nextCommit());
            else pump();
            return;
        }
        if (r.closed()) {
            writeFrame(SseFormat.controlEvent(r.next(), null, true, true));
            end();
            return;
        }
        if (!sentEvent) { // first event of an empty stream or offset=now: say where the tail is
            writeFrame(SseFormat.controlEvent(r.next(), cursor(), true, false));
        }
        waitFor(r.nextCommit());
    }

    private void waitFor(CommitSignal signal) {
        if (live.draining()) {
            end();
            return;
        }
        Runnable w = () -> ctx.executor().execute(() -> {
            if (waitingOn == signal) {
                waitingOn = null;
                pump();
            }
        });
        if (!signal.subscribe(w)) {
            pump();
            return;
        }
        waitingOn = signal;
        wake = w;
    }

    /**
     * Sends a keep-alive control event when the response has been idle for half an interval or more, so the gap
     * between events never exceeds one interval. One periodic timer
     * per response, never rescheduled per event: with thousands of readers, per-event timers would cost more than
     * the events.
     */
    private void keepAliveTick() {
        if (ended) return;
        long idle = System.nanoTime() - lastWriteNanos;
        if (waitingOn != null && idle >= config.sseKeepAlive().toNanos() / 2) {
            writeFrame(SseFormat.controlEvent(from.offset(), cursor(), true, false));
        }
    }

    /** The data event of a chunk followed by its control event, encoded once for every reader of that chunk. */
    private byte[] dataAndControl(ReadResult r) {
        String cursor = r.closed() ? null : cursor();
        SseFrameCache.Key key = new SseFrameCache.Key(r.incarnation(), r.start().position(), r.next().position(),
                cursor, r.upToDate(), r.closed());
        byte[] cached = frames.get(key);
        if (cached != null) return cached;
        byte[] payload = Bodies.bytes(r);
        byte[] data = base64 ? SseFormat.base64Event(payload, 0, payload.length)
                : SseFormat.textEvent(payload, 0, payload.length);
        byte[] control = SseFormat.controlEvent(r.next(), cursor, r.upToDate(), r.closed());
        byte[] frame = new byte[data.length + control.length];
        System.arraycopy(data, 0, frame, 0, data.length);
        System.arraycopy(control, 0, frame, data.length, control.length);
        // Readers with a cursor of their own get a jittered one; only the shared, default-cursor frame is cached.
        if (clientCursor == null) frames.put(key, frame);
        return frame;
    }

    private void sendHeaders(String contentType) {
        headersSent = true;
        base64 = !MediaType.isSseText(contentType);
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        cache.cacheControl(resp.headers(), req.path, "no-cache");
        resp.headers().set("X-Accel-Buffering", "no");
        if (base64) resp.headers().set(Headers.STREAM_SSE_DATA_ENCODING, "base64");
        HttpUtil.setTransferEncodingChunked(resp, true);
        // The response always ends by closing the connection; saying so up front keeps pipelined requests behind
        // it from being started and then cut off.
        HttpUtil.setKeepAlive(resp, false);
        ctx.write(resp).addListener(Responses.CLOSE_ON_WRITE_FAILURE);
    }

    /** One chunk per event (or data-and-control pair), flushed at once: one write system call per delivery. */
    private void writeFrame(byte[] bytes) {
        sentEvent = true;
        lastWriteNanos = System.nanoTime();
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes))).addListener(Responses.CLOSE_ON_WRITE_FAILURE);
    }

    private String cursor() {
        return Cursor.next(clientCursor, System.currentTimeMillis());
    }

    /** Ends the response; the client reconnects from the last offset it saw. */
    private void end() {
        if (ended) return;
        stop();
        if (headersSent) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void stop() {
        ended = true;
        live.remove(registration);
        if (waitingOn != null) waitingOn.unsubscribe(wake);
        waitingOn = null;
        cancelTimers();
    }

    private void cancelTimers() {
        if (keepAlive != null) keepAlive.cancel(false);
        if (maxDuration != null) maxDuration.cancel(false);
    }
}
