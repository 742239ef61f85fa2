package dev.durablestreams.cli;

import dev.durablestreams.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful stop on SIGTERM and SIGINT: drain the HTTP side within the grace period, then close the rest, storage
 * last (its
 * writer finishes every queued commit, flushes and marks the shutdown clean). The signals are handled instead of
 * left to the JVM so that the process exits 0 after an orderly stop; a shutdown hook covers any other exit.
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private final HttpServer server;
    private final List<AutoCloseable> afterDrain;
    private final Duration grace;
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    /** @param afterDrain closed in this order once the HTTP side has drained (storage last) */
    Shutdown(HttpServer server, Duration grace, AutoCloseable... afterDrain) {
        this.server = server;
        this.grace = grace;
        this.afterDrain = List.of(afterDrain);
    }

    void install() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    LOG.info("received SIG{}: shutting down (grace {})", name, grace);
                    requested.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{}; the shutdown hook stops the server", name);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            requested.countDown();
            run();
        }, "ds-shutdown"));
    }

    void awaitRequest() throws InterruptedException {
        requested.await();
    }

    /** Drains and closes once; a second caller waits for the first to finish. */
    void run() {
        if (!started.compareAndSet(false, true)) {
            try {
                finished.await(grace.toMillis() + 30_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        long t0 = System.nanoTime();
        try {
            boolean clean = server.drain(grace);
            for (AutoCloseable c : afterDrain) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.error("closing {} failed", c.getClass().getSimpleName(), e);
                }
            }
            LOG.info("stopped {} in {} ms", clean ? "cleanly" : "after the grace period",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } finally {
            finished.countDown();
        }
    }
}
