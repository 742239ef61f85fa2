package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.metrics.HttpMetrics.ReadMode;
import io.netty.util.concurrent.EventExecutor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open long-polls and SSE responses, so a drain can end each of them (204 / end of the event stream) on its own
 * event loop, and so their number is a gauge.
 */
final class LiveReaders {
    /** One open live read; {@code endNow} runs on {@code loop}. */
    static final class Entry {
        final ReadMode mode;
        final EventExecutor loop;
        final Runnable endNow;

        Entry(ReadMode mode, EventExecutor loop, Runnable endNow) {
            this.mode = mode;
            this.loop = loop;
            this.endNow = endNow;
        }
    }

    private final Set<Entry> open = ConcurrentHashMap.newKeySet();
    private final HttpMetrics metrics;
    private volatile boolean draining;

    LiveReaders(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    Entry add(ReadMode mode, EventExecutor loop, Runnable endNow) {
        Entry e = new Entry(mode, loop, endNow);
        open.add(e);
        metrics.liveReaderStarted(mode);
        return e;
    }

    void remove(Entry e) {
        if (e != null && open.remove(e)) metrics.liveReaderEnded(e.mode);
    }

    /** True once a drain began: live reads answer as soon as they are at the tail. */
    boolean draining() {
        return draining;
    }

    /** Ends every open live read; reads starting later end at the tail by themselves. */
    void drain() {
        draining = true;
        for (Entry e : open) e.loop.execute(e.endNow);
    }

    int size() {
        return open.size();
    }
}
