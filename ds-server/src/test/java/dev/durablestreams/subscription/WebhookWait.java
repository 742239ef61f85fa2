package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Waiting on webhook bodies a test's receiver collected. */
public final class WebhookWait {
    private WebhookWait() {}

    /**
     * Waits (30 s at most) for a webhook reporting {@code tail} as the pending tail of {@code path}, and returns it.
     * Earlier wakes may come first: delivery is at least once, and a new leader re-issues a wake whose outcome the
     * old one had not stored.
     */
    public static JsonNode awaitWake(BlockingQueue<JsonNode> webhooks, String path, String tail)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            JsonNode w = webhooks.poll(100, TimeUnit.MILLISECONDS);
            if (w == null) continue;
            for (JsonNode s : w.path("streams")) {
                if (s.path("path").asText().equals(path) && s.path("has_pending").asBoolean()) {
                    if (s.path("tail_offset").asText().equals(tail)) return w;
                    seen.add(s.path("tail_offset").asText());
                }
            }
        }
        throw new AssertionError("no webhook with " + path + " at " + tail + "; saw " + seen);
    }
}
