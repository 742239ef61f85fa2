package dev.durablestreams.subscription;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends webhook requests with the JDK HTTP client: connect and response timeouts, redirects never followed, at
 * most {@code perHost} requests in flight to one host and {@code total} overall (the rest wait in a queue), so a
 * slow or dead receiver holds only its own slots. The target's resolved addresses are checked against the SSRF
 * rules just before each request.
 */
public final class WebhookSender implements AutoCloseable {
    /** A receiver's answer: its status and at most 64 KiB of its body. */
    public record Response(int status, byte[] body) {}

    private static final int MAX_RESPONSE = 64 * 1024;
    private final WebhookUrlPolicy policy;
    private final ExecutorService executor;
    private final Duration connectTimeout;
    /** Built on the first webhook: a server without webhook subscriptions never loads the client or its TLS. */
    private HttpClient client;
    private final Duration timeout;
    private final int perHost;
    private final int total;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
    private int running;

    public WebhookSender(WebhookUrlPolicy policy, Duration connectTimeout, Duration timeout, int perHost, int total) {
        this.policy = policy;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ds-webhook");
            t.setDaemon(true);
            return t;
        });
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.perHost = perHost;
        this.total = total;
    }

    /** POSTs {@code body} with the given signature; fails on transport errors and SSRF refusals. */
    public CompletableFuture<Response> send(URI url, byte[] body, String signature) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        String host = url.getHost().toLowerCase(java.util.Locale.ROOT);
        Runnable start = () -> CompletableFuture.runAsync(() -> policy.checkResolved(url), executor)
                .thenCompose(v -> client().sendAsync(HttpRequest.newBuilder(url).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header("Webhook-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofInputStream()))
                .thenApply(r -> new Response(r.statusCode(), readCapped(r.body())))
                .whenComplete((r, e) -> {
                    finished(host);
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(r);
                });
        synchronized (this) {
            if (running < total && inFlight.getOrDefault(host, 0) < perHost) {
                running++;
                inFlight.merge(host, 1, Integer::sum);
            } else {
                queued.add(new Queued(host, start));
                return result;
            }
        }
        start.run();
        return result;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(connectTimeout).executor(executor).version(HttpClient.Version.HTTP_1_1).build();
        }
        return client;
    }

    private void finished(String host) {
        Runnable next = null;
        synchronized (this) {
            running--;
            inFlight.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
            // Admit the first queued request whose host has room; the queue is short-lived and small.
            for (var it = queued.iterator(); it.hasNext(); ) {
                Runnable r = it.next();
                if (r instanceof Queued q && running < total && inFlight.getOrDefault(q.host, 0) < perHost) {
                    it.remove();
                    running++;
                    inFlight.merge(q.host, 1, Integer::sum);
                    next = q.start;
                    break;
                }
            }
        }
        if (next != null) next.run();
    }

    private record Queued(String host, Runnable start) implements Runnable {
        @Override
        public void run() {
            start.run();
        }
    }

    private static byte[] readCapped(InputStream in) {
        try (in) {
            return in.readNBytes(MAX_RESPONSE);
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
