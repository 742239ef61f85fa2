package dev.durablestreams.subscription;

import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Serves the routes under {@code {stream-root}/__ds/}: {@link SubscriptionApi} on the node running subscriptions,
 * or something that forwards to that node.
 */
public interface SubscriptionService {

    /**
     * One request under {@code __ds/}.
     *
     * @param route the decoded path below {@code __ds/}, e.g. {@code subscriptions/s1/claim}
     * @param authorization the {@code Authorization} header, or null
     * @param streamRoot the absolute stream root URL the client used, e.g. {@code http://host:4437/v1/stream/}
     * @param readable which stream paths the caller may read (a claim needs the wake stream)
     * @param forwarded whether another node forwarded it here (it must then be served here, never forwarded on)
     */
    record Request(String method, String route, String authorization, byte[] body, String streamRoot,
                   Predicate<String> readable, boolean forwarded) {}

    CompletableFuture<SubscriptionApi.Response> handle(Request request);
}
