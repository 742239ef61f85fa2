package dev.durablestreams.bench;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scenario 3: R live readers (SSE or long-poll) on one stream while one writer appends timestamped messages at a
 * fixed rate. The writer keeps one request in flight; messages that fall due while an append is in flight go out
 * together in the next append, so the rate holds even when appends are slower than the interval, order is kept,
 * and every latency is measured from the message's intended send time (no coordinated omission).
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Live fan-out: delivery latency and completeness for R readers of one stream.")
final class FanOutBench implements Callable<Integer> {
    enum Mode { sse, longpoll }

    @Mixin BenchMain.Common common;

    @Option(names = {"-r", "--readers"}, defaultValue = "2000", description = "Readers (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--mode", defaultValue = "sse", description = "sse or longpoll (default ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--rate", defaultValue = "100", description = "Messages per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = {"-d", "--duration"}, defaultValue = "5", description = "Seconds of appends (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = {"-w", "--warmup"}, defaultValue = "2",
            description = "Seconds of appends at the same rate before the measured ones; their messages are checked "
                    + "but their latency not recorded (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = {"-b", "--bytes"}, defaultValue = "100", description = "Bytes per message (default ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = "--drain", defaultValue = "10",
            description = "Seconds to wait after the last append for readers to get everything (default ${DEFAULT-VALUE}).")
    double drain;

    @Option(names = "--write-url",
            description = "Stream base URL the writer uses, when it is another server than the readers' --url (e.g. "
                    + "another node of a cluster: readers are woken across nodes); default: --url.")
    String writeUrl;

    /** Whether the writer uses another server than the readers. */
    private boolean crossNode() {
        return writeUrl != null && !writeUrl.equals(common.url);
    }

    @Override
    public Integer call() throws Exception {
        return common.measure(this::run, r -> r.metrics.get("complete_readers") == readers);
    }

    /** Long-poll reader loop state. */
    final class LongPoller {
        final Conn conn;
        final String path;
        final Messages.Tracker tracker = new Messages.Tracker();
        volatile String offset = "-1";
        String cursor;
        volatile boolean ready, stopped;
        final AtomicLong errors;
        final Histogram delivery;

        LongPoller(Conn conn, String path, AtomicLong errors, Histogram delivery) {
            this.conn = conn;
            this.path = path;
            this.errors = errors;
            this.delivery = delivery;
        }

        void poll() {
            if (stopped) return;
            boolean live = ready;
            String q = path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8)
                    + (live ? "&live=long-poll" : "")
                    + (live && cursor != null ? "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) : "");
            conn.send(HttpMethod.GET, q, null, null, new Collect(true, c -> {
                if (stopped) return;
                if (c.status == 200 || c.status == 204) {
                    if (c.status == 200 && c.bytes > 0) {
                        byte[] b = c.body.toByteArray();
                        tracker.feed(b, 0, b.length, delivery);
                    }
                    String next = c.header("Stream-Next-Offset");
                    if (next != null) offset = next;
                    String cur = c.header("Stream-Cursor");
                    if (cur != null) cursor = cur;
                    ready = true;
                    poll();
                } else {
                    errors.incrementAndGet();
                    if (errors.get() <= 3) System.err.println("long-poll at " + offset + " -> " + c.status
                            + (c.body != null ? " " + new String(c.body.toByteArray(), StandardCharsets.UTF_8) : ""));
                    if (c.status < 0) return;
                    conn.channel.eventLoop().schedule(this::poll, 10, TimeUnit.MILLISECONDS);
                }
            }));
        }
    }

    Result run() throws Exception {
        try (HttpClient client = common.client();
             HttpClient writes = crossNode() ? common.client(writeUrl) : null) {
            Conn writer = (writes == null ? client : writes).connect().get(10, TimeUnit.SECONDS);
            String path = client.path("bench-" + common.runId + "-fanout");
            Collect.create(writer, path, "text/plain");

            Histogram delivery = new ConcurrentHistogram(3);
            AtomicLong readErrors = new AtomicLong();
            long c0 = System.nanoTime();
            List<Conn> conns = client.connectAll(readers);
            List<SseReader> sse = new ArrayList<>();
            List<LongPoller> polls = new ArrayList<>();
            List<Messages.Tracker> trackers = new ArrayList<>();
            for (Conn c : conns) {
                if (mode == Mode.sse) {
                    Messages.Tracker t = new Messages.Tracker();
                    trackers.add(t);
                    SseReader r = new SseReader(client, path, "-1", (rd, buf, off, len) -> t.feed(buf, off, len, delivery), t);
                    sse.add(r);
                    r.start(c);
                } else {
                    LongPoller p = new LongPoller(c, path, readErrors, delivery);
                    polls.add(p);
                    trackers.add(p.tracker);
                    p.poll();
                }
            }
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int ready = 0;
            while (System.nanoTime() < readyDeadline) {
                ready = 0;
                for (SseReader r : sse) if (r.firstControl) ready++;
                for (LongPoller p : polls) if (p.ready) ready++;
                if (ready == readers) break;
                Thread.sleep(20);
            }
            double connectSeconds = (System.nanoTime() - c0) / 1e9;
            Thread.sleep(mode == Mode.longpoll ? 500 : 200); // let the last long-polls park
            delivery.reset();

            // The writer, on its connection's event loop.
            long total = Math.max(1, Math.round(rate * (duration + warmup)));
            long period = (long) (1e9 / rate);
            EventLoop loop = writer.channel.eventLoop();
            Histogram appendLatency = new ConcurrentHistogram(3);
            AtomicLong appendErrors = new AtomicLong(), appendRequests = new AtomicLong();
            CompletableFuture<Void> writerDone = new CompletableFuture<>();
            long t0 = System.nanoTime() + 50_000_000L;
            long recordFrom = t0 + (long) (warmup * 1e9);
            for (Messages.Tracker t : trackers) t.recordFrom = recordFrom;
            new Runnable() {
                long nextSeq;
                boolean inFlight;

                @Override
                public void run() {
                    long now = System.nanoTime();
                    long due = now < t0 ? 0 : Math.min(total, (now - t0) / period + 1);
                    if (!inFlight && nextSeq < due) send(nextSeq, due);
                    if (nextSeq >= total && !inFlight) {
                        writerDone.complete(null);
                        return;
                    }
                    if (!inFlight) {
                        long nextDue = t0 + nextSeq * period;
                        loop.schedule(this, Math.max(50_000, nextDue - System.nanoTime()), TimeUnit.NANOSECONDS);
                    }
                }

                void send(long from, long to) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    for (long s = from; s < to; s++) body.writeBytes(Messages.encode(s, t0 + s * period, bytes));
                    inFlight = true;
                    appendRequests.incrementAndGet();
                    writer.send(HttpMethod.POST, path, "text/plain", body.toByteArray(), new Collect(false, c -> {
                        long t1 = System.nanoTime();
                        if (c.ok()) {
                            for (long s = from; s < to; s++) if (t0 + s * period >= recordFrom) appendLatency.recordValue(Math.max(1, (t1 - (t0 + s * period)) / 1000));
                        } else {
                            appendErrors.incrementAndGet();
                        }
                        nextSeq = to;
                        inFlight = false;
                        run();
                    }));
                }
            }.run();
            writerDone.get((long) (duration * 10 + 120), TimeUnit.SECONDS);
            double writeSeconds = (System.nanoTime() - t0) / 1e9;

            long drainDeadline = System.nanoTime() + (long) (drain * 1e9);
            while (System.nanoTime() < drainDeadline) {
                boolean all = true;
                for (Messages.Tracker t : trackers) if (t.expected < total) { all = false; break; }
                if (all) break;
                Thread.sleep(20);
            }
            Thread.sleep(100); // duplicates arriving late would show up here
            sse.forEach(SseReader::stop);
            polls.forEach(p -> p.stopped = true);
            conns.forEach(Conn::close);
            writer.close();

            long complete = 0, lost = 0, dups = 0, gaps = 0, reconnects = 0, bad = 0;
            for (Messages.Tracker t : trackers) {
                if (t.received == total && t.gaps == 0 && t.duplicates == 0) complete++;
                lost += Math.max(0, total - t.received);
                dups += t.duplicates;
                gaps += t.gaps;
            }
            for (SseReader r : sse) {
                reconnects += r.reconnects;
                bad += r.badStatus;
            }
            return new Result("fanout")
                    .param("mode", mode.name()).param("cross_node", crossNode()).param("readers", readers).param("rate", rate)
                    .param("duration_s", duration).param("warmup_s", warmup).param("bytes", bytes)
                    .latency("delivery", delivery)
                    .metric("complete_readers", complete)
                    .metric("ready_readers", ready)
                    .metric("messages", total)
                    .metric("lost", lost)
                    .metric("duplicates", dups)
                    .metric("out_of_order", gaps)
                    .metric("append_rate", total / writeSeconds)
                    .metric("append_requests", appendRequests.get())
                    .metric("append_errors", appendErrors.get())
                    .latency("append", appendLatency)
                    .metric("reader_errors", readErrors.get() + bad)
                    .metric("reconnects", reconnects)
                    .metric("connect_s", connectSeconds);
        }
    }
}
