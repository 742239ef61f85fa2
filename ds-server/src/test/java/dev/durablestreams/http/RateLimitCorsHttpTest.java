package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.limits.ClientAddresses;
import dev.durablestreams.limits.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rate limits per client (429 + Retry-After for one, others still answered) and the CORS origin policy. */
class RateLimitCorsHttpTest {
    static InProcessServer server;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        // A rate so slow that no bucket refills during the test: counts decide, never timing.
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree("""
                auth:
                  tokens:
                    - { token: "t-one", name: one, grants: [ { prefix: "", actions: [read, write] } ] }
                    - { token: "t-two", name: two, grants: [ { prefix: "", actions: [read, write] } ] }
                    - { token: "t-three", name: three, grants: [ { prefix: "", actions: [read] } ] }
                  public-read: [""]
                limits:
                  rate-limit: { requests-per-second: 0.001, burst: 3 }
                  trusted-proxies: ["127.0.0.1/32"]
                cors:
                  allowed-origins: ["https://app.example", "http://localhost:3000"]
                """);
        JsonNode limits = root.get("limits");
        AccessControl access = new AccessControl(AuthPolicy.fromConfig(root.get("auth")),
                RateLimiter.fromConfig(limits.get("rate-limit")), ClientAddresses.fromConfig(limits.get("trusted-proxies")),
                CorsPolicy.fromConfig(root.get("cors")));
        server = new InProcessServer(1 << 20, 1 << 20, Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(5), access);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path)).method(method,
                BodyPublishers.noBody());
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void oneTokenIsLimitedWhileAnotherKeepsBeingAnswered() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "rl-a?offset=-1", "Authorization", "Bearer t-one").statusCode()).isEqualTo(404);
        }
        HttpResponse<String> limited = send("GET", "rl-a?offset=-1", "Authorization", "Bearer t-one");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(header(limited, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(Long.parseLong(header(limited, "Retry-After"))).isPositive();
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "rl-a?offset=-1", "Authorization", "Bearer t-two").statusCode()).isEqualTo(404);
        }
        assertThat(send("GET", "rl-a?offset=-1", "Authorization", "Bearer t-one").statusCode()).isEqualTo(429);
    }

    @Test
    void aLiveReadCountsOnceHoweverManyEventsItDelivers() throws Exception {
        String s = "rl-live";
        byte[] one = "e".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.store.create(new dev.durablestreams.storage.CreateRequest(s, "text/plain", null, null, false,
                new byte[0], null)).join();
        HttpResponse<java.io.InputStream> sse = client.send(HttpRequest.newBuilder(URI.create(server.base + s
                + "?offset=-1&live=sse")).header("Authorization", "Bearer t-three").build(),
                BodyHandlers.ofInputStream());
        assertThat(sse.statusCode()).isEqualTo(200);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(sse.body()))) {
            for (int i = 0; i < 5; i++) {
                server.store.append(new dev.durablestreams.storage.AppendRequest(s, "text/plain", one, false, null,
                        null)).join();
                String line;
                while (!(line = lines.readLine()).equals("event: data")) assertThat(line).isNotNull();
            }
        }
        // Five events delivered on one request: two of the burst of three are left.
        for (int i = 0; i < 2; i++) {
            assertThat(send("HEAD", s, "Authorization", "Bearer t-three").statusCode()).isEqualTo(200);
        }
        assertThat(send("HEAD", s, "Authorization", "Bearer t-three").statusCode()).isEqualTo(429);
    }

    @Test
    void anonymousClientsAreKeyedByForwardedAddressFromATrustedProxy() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "rl-b?offset=-1", "X-Forwarded-For", "198.51.100.1").statusCode()).isEqualTo(404);
        }
        assertThat(send("GET", "rl-b?offset=-1", "X-Forwarded-For", "198.51.100.1").statusCode()).isEqualTo(429);
        assertThat(send("GET", "rl-b?offset=-1", "X-Forwarded-For", "198.51.100.2").statusCode()).isEqualTo(404);
    }

    @Test
    void listedOriginIsAllowedOthersGetNoAllowOrigin() throws Exception {
        HttpResponse<String> listed = send("GET", "cors?offset=-1", "Origin", "https://app.example",
                "X-Forwarded-For", "198.51.100.10");
        assertThat(header(listed, "Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(header(listed, "Access-Control-Expose-Headers")).contains("Stream-Next-Offset");
        assertThat(header(listed, "Vary")).contains("Origin");
        HttpResponse<String> other = send("GET", "cors?offset=-1", "Origin", "https://evil.example",
                "X-Forwarded-For", "198.51.100.11");
        assertThat(header(other, "Access-Control-Allow-Origin")).isNull();
        assertThat(header(other, "Vary")).contains("Origin");
    }

    @Test
    void preflightAnswersListedOriginsOnlyAndIsNotRateLimitedOrAuthenticated() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> pre = send("OPTIONS", "app/x", "Origin", "http://localhost:3000",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization");
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(header(pre, "Access-Control-Allow-Origin")).isEqualTo("http://localhost:3000");
            assertThat(header(pre, "Access-Control-Allow-Methods")).contains("POST");
            assertThat(header(pre, "Access-Control-Allow-Headers")).contains("Authorization");
            assertThat(header(pre, "Vary")).contains("Origin");
        }
        HttpResponse<String> denied = send("OPTIONS", "app/x", "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST");
        assertThat(header(denied, "Access-Control-Allow-Origin")).isNull();
        assertThat(header(denied, "Access-Control-Allow-Methods")).isNull();
    }
}
