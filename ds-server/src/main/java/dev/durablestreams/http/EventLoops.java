package dev.durablestreams.http;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Continuing work on a channel's event loop. */
final class EventLoops {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private EventLoops() {}

    /**
     * Runs {@code action} with the future's outcome on the channel's event loop: right away when the future is
     * already complete and the caller is that loop (reads answered from memory), else as a task on the loop.
     */
    static <T> void whenComplete(ChannelHandlerContext ctx, CompletableFuture<T> future,
                                 BiConsumer<? super T, ? super Throwable> action) {
        BiConsumer<T, Throwable> guarded = (value, err) -> {
            try {
                action.accept(value, err);
            } catch (RuntimeException e) {
                // A future would swallow this and leave the client waiting; closing tells it something broke.
                LOG.error("failure while answering a live read; closing the connection", e);
                ctx.close();
            }
        };
        if (future.isDone() && ctx.executor().inEventLoop()) {
            future.whenComplete(guarded);
        } else {
            future.whenCompleteAsync(guarded, ctx.executor());
        }
    }
}
