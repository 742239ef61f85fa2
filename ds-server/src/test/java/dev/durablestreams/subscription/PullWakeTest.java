package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.protocol.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pull-wake: wake events, claim / ack / release, leases, fencing, tombstones, and every error code on the way. */
class PullWakeTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private static final String SUB = "{\"type\":\"pull-wake\",\"pattern\":\"events/*\",\"wake_stream\":\"wake\","
            + "\"lease_ttl_ms\":1000}";

    private JsonNode claimAfterAppend(String path) {
        h.append(path, "{\"n\":1}");
        Harness.Res c = h.claim("s", "w1");
        assertThat(c.status()).isEqualTo(200);
        return c.body();
    }

    @Test
    void wakeEventThenClaimAckRelease() {
        h.createJson("wake", "[]");
        h.createJson("events/a", "[]");
        assertThat(h.put("s", SUB).status()).isEqualTo(201);
        Offset tail = h.append("events/a", "{\"n\":1}");
        JsonNode events = h.awaitEvents("wake", 1);
        assertThat(events.get(0).path("type").asText()).isEqualTo("wake");
        assertThat(events.get(0).path("subscription_id").asText()).isEqualTo("s");
        assertThat(events.get(0).path("stream").asText()).isEqualTo("events/a");
        assertThat(events.get(0).path("generation").asLong()).isEqualTo(1);

        JsonNode claim = h.claim("s", "w1").body();
        assertThat(claim.path("generation").asLong()).isEqualTo(1);
        assertThat(claim.path("streams").get(0).path("tail_offset").asText()).isEqualTo(tail.toString());
        Harness.Res busy = h.claim("s", "w2");
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.code()).isEqualTo("ALREADY_CLAIMED");
        assertThat(busy.body().path("error").path("current_holder").asText()).isEqualTo("w1");

        // Heartbeat (no done) keeps the lease past its original end.
        h.advance(800);
        assertThat(h.ack("s", claim, "[]", false).body().path("ok").asBoolean()).isTrue();
        h.advance(800);
        assertThat(h.claim("s", "w2").code()).isEqualTo("ALREADY_CLAIMED");

        Harness.Res done = h.ack("s", claim, "[{\"stream\":\"events/a\",\"offset\":\"" + tail + "\"}]", true);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body().toString()).isEqualTo("{\"ok\":true,\"next_wake\":false}");
        assertThat(h.claim("s", "w1").code()).isEqualTo("NO_PENDING_WORK");
        assertThat(h.get("s").body().path("streams").get(0).path("acked_offset").asText()).isEqualTo(tail.toString());

        // Release with pending work writes a new wake with the next generation.
        JsonNode c2 = claimAfterAppend("events/a");
        assertThat(c2.path("generation").asLong()).isEqualTo(2);
        assertThat(h.call("POST", "subscriptions/s/release", c2.path("token").asText(),
                "{\"wake_id\":\"" + c2.path("wake_id").asText() + "\",\"generation\":2}").status()).isEqualTo(204);
        JsonNode all = h.awaitEvents("wake", 3);
        assertThat(all.get(2).path("generation").asLong()).isEqualTo(3);
    }

    @Test
    void leaseExpiryClearsTheHolderAndWakesAgain() {
        h.createJson("wake", "[]");
        h.createJson("events/a", "[]");
        h.put("s", SUB);
        JsonNode claim = claimAfterAppend("events/a");
        h.awaitEvents("wake", 1);
        h.advance(1001);
        JsonNode events = h.awaitEvents("wake", 2);
        assertThat(events.get(1).path("generation").asLong()).isEqualTo(2);
        // The expired worker is fenced; another worker claims the new generation.
        Harness.Res stale = h.ack("s", claim, "[]", true);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("FENCED");
        JsonNode c2 = h.claim("s", "w2").body();
        assertThat(c2.path("generation").asLong()).isEqualTo(2);
    }

    @Test
    void fencingChecksTokenGenerationAndWakeId() {
        h.createJson("events/a", "[]");
        h.createJson("wake", "[]");
        h.put("s", SUB);
        JsonNode c1 = claimAfterAppend("events/a");
        h.call("POST", "subscriptions/s/release", c1.path("token").asText(),
                "{\"wake_id\":\"" + c1.path("wake_id").asText() + "\",\"generation\":1}");
        JsonNode c2 = h.claim("s", "w1").body(); // generation 2 (work still pending)
        assertThat(c2.path("generation").asLong()).isEqualTo(2);
        String wake2 = c2.path("wake_id").asText();
        String tok1 = c1.path("token").asText();
        String tok2 = c2.path("token").asText();
        // Old token, current generation and wake id: token generation mismatch.
        assertThat(h.call("POST", "subscriptions/s/ack", tok1, body(wake2, 2)).code()).isEqualTo("FENCED");
        // Current token, stale request generation.
        assertThat(h.call("POST", "subscriptions/s/ack", tok2, body(wake2, 1)).code()).isEqualTo("FENCED");
        // Current token and generation, another wake id.
        assertThat(h.call("POST", "subscriptions/s/ack", tok2, body(c1.path("wake_id").asText(), 2)).code())
                .isEqualTo("FENCED");
        // Tokens: missing, forged, another subscription's, expired.
        assertThat(h.call("POST", "subscriptions/s/ack", null, body(wake2, 2)).code()).isEqualTo("TOKEN_INVALID");
        assertThat(h.call("POST", "subscriptions/s/ack", tok2 + "x", body(wake2, 2)).code()).isEqualTo("TOKEN_INVALID");
        h.put("t", SUB.replace("events/*", "other/*"));
        assertThat(h.call("POST", "subscriptions/t/ack", tok2, body(wake2, 2)).status()).isEqualTo(401);
        h.now.addAndGet(SubscriptionManager.TOKEN_TTL_MS + 1);
        assertThat(h.call("POST", "subscriptions/s/ack", tok2, body(wake2, 2)).code()).isEqualTo("TOKEN_EXPIRED");
    }

    private static String body(String wakeId, long gen) {
        return "{\"wake_id\":\"" + wakeId + "\",\"generation\":" + gen + ",\"acks\":[],\"done\":true}";
    }

    @Test
    void invalidOffsetsMoveNothing() {
        h.createJson("events/a", "[]");
        h.createJson("wake", "[]");
        h.put("s", SUB);
        Offset t1 = h.append("events/a", "{\"n\":1}");
        JsonNode c = h.claim("s", "w").body();
        for (String bad : new String[] {"-1", "garbage", "9999999999999999_9999999999999999"}) {
            Harness.Res r = h.ack("s", c, "[{\"stream\":\"events/a\",\"offset\":\"" + bad + "\"}]", true);
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.code()).isEqualTo("INVALID_OFFSET");
        }
        assertThat(h.ack("s", c, "[{\"stream\":\"events/zzz\",\"offset\":\"" + t1 + "\"}]", true).code())
                .isEqualTo("INVALID_OFFSET");
        assertThat(h.ack("s", c, "[{\"stream\":\"events/a\",\"offset\":\"" + t1 + "\"}]", false).status()).isEqualTo(200);
        // Regression below the acked offset.
        assertThat(h.ack("s", c, "[{\"stream\":\"events/a\",\"offset\":\"" + Offset.ZERO + "\"}]", true).code())
                .isEqualTo("INVALID_OFFSET");
        assertThat(h.get("s").body().path("streams").get(0).path("acked_offset").asText()).isEqualTo(t1.toString());
    }

    @Test
    void deletedSubscriptionIsATombstoneThatFencesInFlightRequests() {
        h.createJson("events/a", "[]");
        h.createJson("wake", "[]");
        h.put("s", SUB);
        Offset tail = h.append("events/a", "{\"n\":1}");
        JsonNode c = h.claim("s", "w").body();
        assertThat(h.call("DELETE", "subscriptions/s", null, null).status()).isEqualTo(204);
        Harness.Res r = h.ack("s", c, "[{\"stream\":\"events/a\",\"offset\":\"" + tail + "\"}]", true);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("SUBSCRIPTION_NOT_FOUND");
        // Re-created under the same id: links start at the tail, generations continue, the old claim stays fenced.
        assertThat(h.put("s", SUB).status()).isEqualTo(201);
        assertThat(h.get("s").body().path("streams").get(0).path("acked_offset").asText()).isEqualTo(tail.toString());
        h.append("events/a", "{\"n\":2}");
        JsonNode c2 = h.claim("s", "w").body();
        assertThat(c2.path("generation").asLong()).isEqualTo(2);
        assertThat(h.ack("s", c, "[]", true).code()).isEqualTo("FENCED");
    }

    @Test
    void globsBackfillAtTheTailAndExplicitLinksWin() {
        h.createJson("wake", "[]");
        h.createJson("events/a", "[{\"n\":0}]");
        h.createJson("events/deep/b", "[]");
        h.createJson("other/c", "[]");
        String sub = "{\"type\":\"pull-wake\",\"pattern\":\"events/**\",\"streams\":[\"events/a\",\"other/c\"],"
                + "\"wake_stream\":\"wake\"}";
        assertThat(h.put("s", sub).status()).isEqualTo(201);
        JsonNode streams = h.get("s").body().path("streams");
        assertThat(streams.toString()).contains("\"path\":\"events/a\",\"link_type\":\"explicit\"")
                .contains("\"path\":\"events/deep/b\",\"link_type\":\"glob\"")
                .contains("\"path\":\"other/c\",\"link_type\":\"explicit\"");
        // Backfilled at the tail: nothing pending.
        assertThat(h.claim("s", "w").code()).isEqualTo("NO_PENDING_WORK");
        // Removing the explicit link keeps the glob link; an unmatched one goes.
        assertThat(h.call("DELETE", "subscriptions/s/streams/events/a", null, null).status()).isEqualTo(204);
        assertThat(h.call("DELETE", "subscriptions/s/streams/other/c", null, null).status()).isEqualTo(204);
        streams = h.get("s").body().path("streams");
        assertThat(streams.toString()).contains("\"path\":\"events/a\",\"link_type\":\"glob\"").doesNotContain("other/c");
        // A stream created later is linked from its start: its first data wakes.
        h.createJson("events/x/y/z", "[{\"n\":1}]");
        JsonNode claim = h.claim("s", "w").body();
        assertThat(claim.path("streams").get(0).path("path").asText()).isEqualTo("events/x/y/z");
        assertThat(claim.path("streams").get(0).path("acked_offset").asText()).isEqualTo(Offset.ZERO.toString());
    }

    @Test
    void requestErrors() {
        assertThat(h.call("GET", "nope", null, null).code()).isEqualTo("SUBSCRIPTION_NOT_FOUND");
        assertThat(h.call("GET", "subscriptions/x/bogus", null, null).status()).isEqualTo(404);
        assertThat(h.get("missing").code()).isEqualTo("SUBSCRIPTION_NOT_FOUND");
        assertThat(h.call("POST", "subscriptions/x", null, "{}").status()).isEqualTo(405);
        assertThat(h.call("PUT", "jwks.json", null, null).status()).isEqualTo(405);
        assertThat(h.call("GET", "subscriptions/x/claim", null, null).status()).isEqualTo(405);
        assertThat(h.put("x", "not json").code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", "{\"type\":\"carrier-pigeon\",\"pattern\":\"a\"}").code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", "{\"type\":\"pull-wake\",\"wake_stream\":\"w\"}").code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", "{\"type\":\"pull-wake\",\"pattern\":\"a\"}").code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", "{\"type\":\"webhook\",\"pattern\":\"a\"}").code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", SUB.replace("1000", "999")).code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", SUB.replace("1000", "600001")).code()).isEqualTo("INVALID_REQUEST");
        assertThat(h.put("x", SUB).status()).isEqualTo(201);
        assertThat(h.put("x", SUB).status()).isEqualTo(200);
        Harness.Res conflict = h.put("x", SUB.replace("1000", "2000"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.code()).isEqualTo("SUBSCRIPTION_ALREADY_EXISTS");
        assertThat(h.call("POST", "subscriptions/x/claim", null, "{}").code()).isEqualTo("INVALID_REQUEST");
    }

    @Test
    void stateAndLeasesSurviveARestart() {
        h.createJson("events/a", "[]");
        h.createJson("wake", "[]");
        h.put("s", SUB);
        h.append("events/a", "{\"n\":1}");
        JsonNode c = h.claim("s", "w1").body();
        h.restart();
        // The lease persisted: still held, and the claim token still works.
        assertThat(h.claim("s", "w2").code()).isEqualTo("ALREADY_CLAIMED");
        assertThat(h.ack("s", c, "[]", false).status()).isEqualTo(200);
        h.restart();
        h.advance(1001); // the (extended) lease expires after the restart and work is pending again
        JsonNode c2 = h.claim("s", "w2").body();
        assertThat(c2.path("generation").asLong()).isEqualTo(2);
        assertThat(h.ack("s", c, "[]", true).code()).isEqualTo("FENCED");
    }

    @Test
    void aStreamCreatedAgainIsFollowedFromItsStart() {
        h.createJson("wake", "[]");
        h.createJson("events/a", "[{\"n\":1},{\"n\":2}]");
        h.createJson("events/g", "[{\"n\":1}]");
        h.put("s", "{\"type\":\"pull-wake\",\"pattern\":\"events/g\",\"streams\":[\"events/a\"],\"wake_stream\":\"wake\"}");
        assertThat(h.claim("s", "w").code()).isEqualTo("NO_PENDING_WORK");
        // Expiry removes a stream without a delete event; the next create is a new incarnation with a shorter tail.
        Offset shorter = Offset.at(3);
        h.manager.created("events/a", shorter);
        JsonNode claim = h.claim("s", "w").body();
        assertThat(claim.path("streams").get(0).path("acked_offset").asText()).isEqualTo(Offset.ZERO.toString());
        assertThat(claim.path("streams").get(0).path("tail_offset").asText()).isEqualTo(shorter.toString());
        // A delete drops glob links and restarts explicit ones at zero.
        h.streams.delete("events/g").join();
        h.streams.delete("events/a").join();
        JsonNode streams = h.get("s").body().path("streams");
        assertThat(streams.size()).isEqualTo(1);
        assertThat(streams.get(0).path("path").asText()).isEqualTo("events/a");
        assertThat(streams.get(0).path("acked_offset").asText()).isEqualTo(Offset.ZERO.toString());
    }

    /** Events after close (a shutdown racing appends) are dropped quietly and never fail the append. */
    @Test
    void appendsAfterTheManagerClosedStillSucceed() {
        h.createJson("events/a", "[]");
        h.put("s", SUB);
        h.manager.close();
        assertThat(h.append("events/a", "{\"n\":1}").isAfter(Offset.ZERO)).isTrue();
    }

    /** Acking only part of the pending work answers next_wake:true and writes the next wake at once. */
    @Test
    void partialAckWakesAgain() {
        h.createJson("wake", "[]");
        h.createJson("events/a", "[]");
        h.createJson("events/b", "[]");
        h.put("s", SUB);
        Offset ta = h.append("events/a", "{\"n\":1}");
        h.append("events/b", "{\"n\":1}");
        JsonNode c = h.claim("s", "w").body();
        assertThat(c.path("streams").size()).isEqualTo(2);
        Harness.Res r = h.ack("s", c, "[{\"stream\":\"events/a\",\"offset\":\"" + ta + "\"}]", true);
        assertThat(r.body().toString()).isEqualTo("{\"ok\":true,\"next_wake\":true}");
        JsonNode events = h.awaitEvents("wake", 2);
        assertThat(events.get(1).path("generation").asLong()).isEqualTo(2);
        assertThat(events.get(1).path("stream").asText()).isEqualTo("events/b");
        JsonNode c2 = h.claim("s", "w").body();
        assertThat(c2.path("streams").size()).isEqualTo(1);
        assertThat(c2.path("streams").get(0).path("path").asText()).isEqualTo("events/b");
    }

    /**
     * With several nodes, an append acknowledged by another node reaches the leader as an event a moment later: a
     * claim that finds nothing pending reads the stored tails first, so it sees the client's own earlier append.
     */
    @Test
    void aClaimSeesAnAppendWhoseEventHasNotArrived() {
        h.createJson("wake", "[]");
        h.createJson("jobs/1", "[]");
        assertThat(h.put("p", "{\"type\":\"pull-wake\",\"streams\":[\"jobs/1\"],\"wake_stream\":\"wake\"}").status())
                .isEqualTo(201);
        Offset tail = h.engine.append(new dev.durablestreams.storage.AppendRequest("jobs/1", "application/json",
                "{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), false, null, null)).join().next();
        Harness.Res c = h.claim("p", "w1");
        assertThat(c.status()).as(String.valueOf(c.body())).isEqualTo(200);
        assertThat(c.body().path("streams").get(0).path("tail_offset").asText()).isEqualTo(tail.toString());
    }
}
