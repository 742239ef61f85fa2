package dev.durablestreams.http;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** Continuing work on a channel's event loop. */
final class EventLoops {
    private EventLoops() {}

    /**
     * Runs {@code action} with the future's outcome on the channel's event loop: right away when the future is
     * already complete and the caller is that loop (reads answered from memory), else as a task on the loop.
     */
    static <T> void whenComplete(ChannelHandlerContext ctx, CompletableFuture<T> future,
                                 BiConsumer<? super T, ? super Throwable> action) {
        if (future.isDone() && ctx.executor().inEventLoop()) {
            future.whenComplete(action);
        } else {
            future.whenCompleteAsync(action, ctx.executor());
        }
    }
}
