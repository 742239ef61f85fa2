package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * Idempotent producers on their own threads, for the crash tests over several nodes: each sends seq 0, 1, 2, ... to
 * its stream and retries every append (same body, same seq) until it is acknowledged. Only the answers in
 * {@code retried} (and I/O errors, if allowed) are retried; any other answer fails the fleet. Afterwards
 * {@link #verify} checks the streams against what was acknowledged.
 */
final class ProducerFleet implements AutoCloseable {
    /** Figures of a verified run. */
    record Totals(long acknowledged, long bytes, long retried, long duplicates) {}

    private final StreamClient client;
    private final Payloads payloads;
    private final Function<String, String> baseOf;
    private final Set<Integer> retried;
    private final boolean retryIoErrors;
    private final Duration backoff;
    private final Map<String, Producer> producers = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Guards {@link #acks}; notified on every acknowledgement, refused attempt and failure. */
    private final Object lock = new Object();
    private long acks;
    private volatile boolean stopping;

    /**
     * @param streamOf producer id to its stream
     * @param baseOf producer id to the stream base URL it sends to
     * @param retried statuses answered by sending the same append again
     * @param backoff pause before a retry, so a producer does not spin while a node or the database is down
     */
    ProducerFleet(StreamClient client, Payloads payloads, Map<String, String> streamOf, Function<String, String> baseOf,
            Set<Integer> retried, boolean retryIoErrors, Duration backoff) {
        this.client = client;
        this.payloads = payloads;
        this.baseOf = baseOf;
        this.retried = retried;
        this.retryIoErrors = retryIoErrors;
        this.backoff = backoff;
        streamOf.forEach((id, stream) -> producers.put(id, new Producer(id, stream)));
    }

    void start() {
        for (Producer p : producers.values()) {
            Thread t = new Thread(p, "producer-" + p.id);
            threads.add(t);
            t.start();
        }
    }

    Map<String, Producer> producers() {
        return producers;
    }

    /** The streams written to, sorted. */
    Set<String> streams() {
        TreeSet<String> s = new TreeSet<>();
        for (Producer p : producers.values()) s.add(p.stream);
        return s;
    }

    long acks() {
        synchronized (lock) {
            return acks;
        }
    }

    /** Waits until {@code condition} holds (checked on every acknowledgement or refusal); fails on a producer failure. */
    void await(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                throwIfFailed();
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("timed out after " + timeout + " waiting for " + what + " (acks " + acks + ")");
                lock.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
        throwIfFailed();
    }

    /** Waits for {@code more} acknowledgements beyond the current count. */
    void awaitMoreAcks(long more, Duration timeout) throws InterruptedException {
        long target = acks() + more;
        await(() -> acks >= target, "acknowledgement " + target, timeout);
    }

    /** Lets every producer finish the append it is on (retrying it until acknowledged), then waits for them. */
    void finish(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        throwIfFailed();
        for (Thread t : threads) assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
    }

    void throwIfFailed() {
        Throwable t = failure.get();
        if (t != null) throw new AssertionError("a producer failed", t);
    }

    /**
     * Checks each stream's bytes: every acknowledged append exactly once, in producer order, byte-exact, nothing
     * unacknowledged or foreign, and each acknowledgement's {@code Stream-Next-Offset} where it belongs.
     */
    Totals verify(Map<String, byte[]> contents) {
        long total = 0;
        long bytes = 0;
        long retries = 0;
        long duplicates = 0;
        for (String stream : streams()) {
            List<Payloads.Found> found = payloads.parse(contents.get(stream));
            bytes += found.isEmpty() ? 0 : found.get(found.size() - 1).end();
            for (Producer p : producers.values()) {
                if (!p.stream.equals(stream)) continue;
                List<Payloads.Found> mine = new ArrayList<>();
                for (Payloads.Found f : found) {
                    assertThat(producers.get(f.producer())).as("writer of %s/%d", f.producer(), f.seq()).isNotNull();
                    assertThat(producers.get(f.producer()).stream).as("stream of %s", f.producer()).isEqualTo(stream);
                    if (f.producer().equals(p.id)) mine.add(f);
                }
                // Exactly the acknowledged appends, each once, in order: no loss, no doubled retry, no unacked extra.
                assertThat(mine).extracting(Payloads.Found::seq).as("appends of %s", p.id)
                        .containsExactly(LongStream.range(0, p.next).boxed().toArray(Long[]::new));
                for (Payloads.Found f : mine) {
                    long acked = p.ackedOffsets.get(f.seq());
                    // A 200 names the end of this very append; a 204 (duplicate) the tail at the time, never earlier.
                    if (p.duplicateSeqs.contains(f.seq())) {
                        assertThat(acked).as("204 offset of %s/%d", p.id, f.seq()).isGreaterThanOrEqualTo(f.end());
                    } else {
                        assertThat(acked).as("200 offset of %s/%d", p.id, f.seq()).isEqualTo(f.end());
                    }
                }
                total += p.next;
                retries += p.retriedSeqs.get();
                duplicates += p.duplicateSeqs.size();
            }
        }
        return new Totals(total, bytes, retries, duplicates);
    }

    /** Refused attempts by status (0: I/O error), over all producers. */
    Map<Integer, Long> refusals() {
        Map<Integer, Long> all = new java.util.TreeMap<>();
        for (Producer p : producers.values()) p.refusals.forEach((k, v) -> all.merge(k, v.get(), Long::sum));
        return all;
    }

    /** The longest time a refused attempt took to be answered, over all producers. */
    long slowestRefusalMillis() {
        long max = 0;
        for (Producer p : producers.values()) max = Math.max(max, p.slowestRefusalNanos);
        return TimeUnit.NANOSECONDS.toMillis(max);
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) t.join(10_000);
    }

    /** One idempotent producer (epoch 0). */
    final class Producer implements Runnable {
        final String id;
        final String stream;
        /** Next seq to send = number of acknowledged appends. */
        volatile long next;
        final Map<Long, Long> ackedOffsets = new ConcurrentHashMap<>();
        final Set<Long> duplicateSeqs = ConcurrentHashMap.newKeySet();
        /** Appends that needed more than one attempt. */
        final AtomicLong retriedSeqs = new AtomicLong();
        /** Refused attempts by status (0: I/O error). */
        final Map<Integer, AtomicLong> refusals = new ConcurrentHashMap<>();
        /** The longest time a refused attempt took to be answered. */
        volatile long slowestRefusalNanos;

        Producer(String id, String stream) {
            this.id = id;
            this.stream = stream;
        }

        long refused(int status) {
            AtomicLong n = refusals.get(status);
            return n == null ? 0 : n.get();
        }

        @Override
        public void run() {
            try {
                while (!stopping || next == 0) {
                    long seq = next;
                    byte[] body = payloads.body(id, seq);
                    for (int attempt = 0; ; attempt++) {
                        if (attempt == 1) retriedSeqs.incrementAndGet();
                        if (attempt > 2_000) throw new AssertionError(id + "/" + seq + " never acknowledged");
                        int status;
                        HttpResponse<String> r = null;
                        long sent = System.nanoTime();
                        try {
                            r = client.append(baseOf.apply(id), stream, id, 0, seq, body);
                            status = r.statusCode();
                        } catch (IOException e) {
                            if (!retryIoErrors) throw new AssertionError(id + "/" + seq + ": " + e, e);
                            status = 0;
                        }
                        if (status == 200 || status == 204) {
                            ackedOffsets.put(seq, StreamClient.position(r.headers().firstValue("Stream-Next-Offset")
                                    .orElseThrow(() -> new AssertionError("acknowledgement without Stream-Next-Offset"))));
                            if (status == 204) duplicateSeqs.add(seq);
                            break;
                        }
                        if (status != 0 && !retried.contains(status)) {
                            throw new AssertionError(id + "/" + seq + ": " + status + " " + r.body());
                        }
                        slowestRefusalNanos = Math.max(slowestRefusalNanos, System.nanoTime() - sent);
                        refusals.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        synchronized (lock) {
                            lock.notifyAll();
                        }
                        Thread.sleep(backoff.toMillis()); // client retry policy; the next attempt may go elsewhere
                    }
                    next = seq + 1;
                    synchronized (lock) {
                        acks++;
                        lock.notifyAll();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }
    }
}
