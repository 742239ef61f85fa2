package dev.durablestreams.http;

import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionService;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a subscription request on to the subscription leader over HTTP, asynchronously (the JDK client's own
 * threads; no event loop waits), and returns the leader's status, headers and body as they are.
 */
public final class SubscriptionForwarder {
    /** Header of a forwarded request: the stream root the client used, for the callback URLs the leader builds. */
    static final String FORWARDED_ROOT = "DS-Forwarded-Root";
    /** Leader headers passed back to the client (the rest describe the hop, not the answer). */
    private static final List<String> PASSED_BACK = List.of("cache-control", "allow", "retry-after");

    private final HttpClient client;
    private final Duration timeout;

    public SubscriptionForwarder(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Forwards {@code r} to the node at {@code leaderUrl} (e.g. {@code http://10.0.0.5:4437}); fails when it cannot
     * be reached or does not answer in time.
     */
    public CompletableFuture<SubscriptionApi.Response> forward(String leaderUrl, SubscriptionService.Request r) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stripSlash(leaderUrl) + StreamRequest.ROOT
                        + StreamRouter.RESERVED + "/" + encode(r.route())))
                .timeout(timeout)
                .header(FORWARDED_ROOT, r.streamRoot())
                .method(r.method(), r.body() == null || r.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.body() != null && r.body().length > 0) b.header("Content-Type", "application/json");
        if (r.authorization() != null) b.header("Authorization", r.authorization());
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(res -> {
            Map<String, String> headers = new LinkedHashMap<>();
            res.headers().map().forEach((k, v) -> {
                if (PASSED_BACK.contains(k.toLowerCase(java.util.Locale.ROOT)) && !v.isEmpty()) headers.put(k, v.get(0));
            });
            String type = res.headers().firstValue("content-type").orElse(null);
            return new SubscriptionApi.Response(res.statusCode(), type, res.body(), headers);
        });
    }

    /** Each segment percent-encoded, so the leader decodes exactly {@code route} (a stream path's '/' included). */
    private static String encode(String route) {
        List<String> segments = new java.util.ArrayList<>();
        for (String segment : route.split("/", -1)) {
            segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", segments);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
