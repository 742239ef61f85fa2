package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.sun.net.httpserver.HttpServer;
import dev.durablestreams.protocol.Offset;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery against a real HTTP receiver: signatures, JWKS, done auto-ack, callbacks, retry schedule. */
class WebhookTest {
    /** One received webhook request. */
    record Delivery(String signature, byte[] body, JsonNode json) {}

    private final Harness h = new Harness();
    private final BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> statuses = new LinkedBlockingQueue<>();
    private volatile String answer = "{}";
    private final HttpServer receiver;

    WebhookTest() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            Integer status = statuses.poll();
            int code = status == null ? 200 : status;
            received.add(new Delivery(ex.getRequestHeaders().getFirst("Webhook-Signature"), body, Harness.JSON.readTree(body)));
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(code, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void close() {
        receiver.stop(0);
        h.close();
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private String sub() {
        return "{\"type\":\"webhook\",\"pattern\":\"events/*\",\"webhook\":{\"url\":\"" + url() + "\"},\"lease_ttl_ms\":5000}";
    }

    private Delivery next() throws InterruptedException {
        Delivery d = received.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("a webhook request").isNotNull();
        return d;
    }

    /** Waits (bounded) until the subscription's GET view satisfies the condition. */
    private JsonNode awaitView(String id, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode v = h.get(id).body();
        while (!condition.test(v) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            v = h.get(id).body();
        }
        assertThat(condition.test(v)).as("condition on %s", v).isTrue();
        return v;
    }

    @Test
    void signatureVerifiesAgainstTheJwksAndDoneAutoAcks() throws Exception {
        answer = "{\"done\":true}";
        JsonNode created = h.put("s", sub()).body();
        String kid = created.path("webhook").path("signing").path("kid").asText();
        assertThat(created.path("webhook").path("signing").path("jwks_url").asText()).isEqualTo(Harness.ROOT + "__ds/jwks.json");
        assertThat(created.has("webhook_secret")).isFalse();
        Offset tail;
        h.createJson("events/a", "[{\"n\":1}]");
        tail = h.engine.info("events/a").join().tail();
        Delivery d = next();

        // The JWKS parsed by a standard JWK library; the kid is ds_ + the RFC 7638 thumbprint.
        SubscriptionApi.Response jwksResponse = h.api.handle("GET", "jwks.json", null, null, Harness.ROOT).join();
        assertThat(jwksResponse.contentType()).isEqualTo("application/jwk-set+json");
        assertThat(jwksResponse.headers()).containsEntry("Cache-Control", "public, max-age=300");
        JWKSet jwks = JWKSet.parse(new String(jwksResponse.body(), StandardCharsets.UTF_8));
        OctetKeyPair key = (OctetKeyPair) jwks.getKeyByKeyId(kid);
        assertThat(key.getCurve()).isEqualTo(Curve.Ed25519);
        assertThat(key.isPrivate()).isFalse();
        assertThat(kid).isEqualTo("ds_" + key.computeThumbprint());

        String[] parts = d.signature().split(",");
        assertThat(parts[1]).isEqualTo("kid=" + kid);
        long t = Long.parseLong(parts[0].substring(2));
        assertThat(Math.abs(t - h.now.get() / 1000)).isLessThanOrEqualTo(1);
        assertThat(verify(key, t, d.body(), parts[2].substring("ed25519=".length()))).isTrue();
        byte[] tampered = Arrays.copyOf(d.body(), d.body().length);
        tampered[tampered.length - 2] ^= 1;
        assertThat(verify(key, t, tampered, parts[2].substring("ed25519=".length()))).isFalse();

        JsonNode body = d.json();
        assertThat(body.path("subscription_id").asText()).isEqualTo("s");
        assertThat(body.path("generation").asLong()).isEqualTo(1);
        assertThat(body.path("callback_url").asText()).isEqualTo(Harness.ROOT + "__ds/subscriptions/s/callback");
        assertThat(body.path("streams").get(0).path("tail_offset").asText()).isEqualTo(tail.toString());
        awaitView("s", v -> v.path("streams").get(0).path("acked_offset").asText().equals(tail.toString()));
    }

    private static boolean verify(OctetKeyPair key, long t, byte[] body, String sig) throws Exception {
        byte[] header = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        byte[] x = key.getDecodedX();
        byte[] der = Arrays.copyOf(header, header.length + x.length);
        System.arraycopy(x, 0, der, header.length, x.length);
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
        s.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        s.update(body);
        return s.verify(Base64.getUrlDecoder().decode(sig));
    }

    @Test
    void callbackAcksThenFencesTheRepeat() throws Exception {
        h.put("s", sub());
        h.createJson("events/a", "[{\"n\":1}]");
        JsonNode body = next().json();
        String tail = body.path("streams").get(0).path("tail_offset").asText();
        String ack = "{\"wake_id\":\"" + body.path("wake_id").asText() + "\",\"generation\":1,\"acks\":[{\"stream\":"
                + "\"events/a\",\"offset\":\"" + tail + "\"}],\"done\":true}";
        // The lease starts once the receiver answered; wait for that before calling back.
        Harness.Res ok = h.call("POST", "subscriptions/s/callback", body.path("callback_token").asText(), ack);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().toString()).isEqualTo("{\"ok\":true,\"next_wake\":false}");
        Harness.Res stale = h.call("POST", "subscriptions/s/callback", body.path("callback_token").asText(), ack);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("FENCED");
    }

    @Test
    void failedDeliveriesRetryWithExponentialBackoffAndPersistTheSchedule() throws Exception {
        for (int i = 0; i < 8; i++) statuses.add(500);
        h.put("s", sub());
        h.createJson("events/a", "[{\"n\":1}]");
        long[] expected = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            JsonNode wake = next().json();
            assertThat(wake.path("generation").asLong()).as("retries keep the wake").isEqualTo(1);
            long due = h.now.get() + expected[attempt - 1]; // jitter fixed at the midpoint: no spread
            String dueText = java.time.Instant.ofEpochMilli(due).toString();
            JsonNode v = awaitView("s", x -> x.path("next_attempt_at").asText().equals(dueText));
            assertThat(v.path("status").asText()).isEqualTo("failed");
            h.restart(); // the schedule is persisted: a restarted manager honours it
            h.advance(expected[attempt - 1] - 1);
            assertThat(received).as("no retry before it is due").isEmpty();
            h.advance(1);
        }
        answer = "{\"done\":true}";
        next();
        awaitView("s", x -> x.path("status").asText().equals("active")
                && !x.path("streams").get(0).path("acked_offset").asText().equals(Offset.ZERO.toString()));
    }

    @Test
    void deliveryTimeChecksRefuseANameThatResolvesInternally() {
        WebhookUrlPolicy rebinding = new WebhookUrlPolicy(java.util.Set.of(),
                host -> new java.net.InetAddress[] {java.net.InetAddress.getByName("10.1.2.3")});
        java.net.URI uri = rebinding.validate("https://hooks.example.com/x"); // fine when created
        try {
            rebinding.checkResolved(uri);
            throw new AssertionError("expected a refusal");
        } catch (SubscriptionError e) {
            assertThat(e.code()).isEqualTo("WEBHOOK_URL_REJECTED");
        }
    }
}
