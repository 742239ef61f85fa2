package dev.durablestreams.http;

import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionLeader;
import dev.durablestreams.subscription.SubscriptionService;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions on a node of many: served here while this node is the subscription leader, else forwarded to the
 * leader. 503 with {@code Retry-After} when no leader is known or reachable (during a takeover), and for a forwarded
 * request reaching a node that no longer leads (never forwarded twice, so no loop).
 */
public final class SubscriptionRouter implements SubscriptionService {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRouter.class);
    private static final RateLimitedLog WARN = new RateLimitedLog(LOG, 10_000_000_000L, System::nanoTime);
    private final SubscriptionLeader leader;
    private final SubscriptionForwarder forwarder;

    public SubscriptionRouter(SubscriptionLeader leader, SubscriptionForwarder forwarder) {
        this.leader = leader;
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<SubscriptionApi.Response> handle(Request r) {
        SubscriptionApi local = leader.api();
        if (local != null) return local.handle(r);
        String url = leader.leaderUrl();
        if (r.forwarded() || url == null) return CompletableFuture.completedFuture(unavailable());
        return forwarder.forward(url, r).exceptionally(e -> {
            WARN.warn("subscription leader " + url + " did not answer", String.valueOf(e.getCause() != null ? e.getCause() : e));
            leader.refresh();
            return unavailable();
        });
    }

    private static SubscriptionApi.Response unavailable() {
        return new SubscriptionApi.Response(503, "application/json",
                ("{\"error\":{\"code\":\"SUBSCRIPTIONS_UNAVAILABLE\",\"message\":\"no subscription leader is reachable;"
                        + " retry shortly\"}}").getBytes(StandardCharsets.UTF_8),
                Map.of("Retry-After", "1", "Cache-Control", "no-store"));
    }
}
