package dev.durablestreams.storage.postgres;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The number of streams in the database for a gauge: reading it returns the last count at once and, when that is
 * older than {@link #MAX_AGE_MILLIS}, starts a recount on the workers. No reader, no query: a scrape interval of
 * seconds costs one count per interval per node.
 */
final class StreamCount {
    static final long MAX_AGE_MILLIS = 5_000;

    private final LongSupplier count;
    private final Executor executor;
    private final AtomicBoolean counting = new AtomicBoolean();
    private volatile int last = -1;
    private volatile long countedAtNanos;

    /** @param count counts the streams (blocking; runs on {@code executor}) */
    StreamCount(LongSupplier count, Executor executor) {
        this.count = count;
        this.executor = executor;
    }

    /** The last count, -1 before the first one finished. */
    int get() {
        if ((last < 0 || System.nanoTime() - countedAtNanos > MAX_AGE_MILLIS * 1_000_000)
                && counting.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        last = (int) Math.min(Integer.MAX_VALUE, count.getAsLong());
                        countedAtNanos = System.nanoTime();
                    } catch (RuntimeException e) {
                        // the database is unreachable: keep the last count; health() reports the failure
                    } finally {
                        counting.set(false);
                    }
                });
            } catch (RejectedExecutionException e) { // closed
                counting.set(false);
            }
        }
        return last;
    }
}
