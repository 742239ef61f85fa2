package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.limits.ClientAddresses;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The auth matrix over real sockets: static and hashed tokens, JWTs, grants, public reads, caching, 401 timing. */
class AuthHttpTest {
    static final int MAX_READ = 1024;
    static final String ISSUER = "https://idp.test";
    static final String AUDIENCE = "durable-streams";

    static InProcessServer server;       // allow-query-token: true
    static InProcessServer noQueryToken; // allow-query-token: false
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static RSAKey rsa;
    static ECKey ec;
    static KeyPair ed;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "auth-test");
        rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = ed.getPublic().getEncoded();
        JWK okp = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length))).keyID("ed").build();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), okp)).toString());
        String readerSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("s3cret-reader".getBytes(StandardCharsets.UTF_8)));
        String yaml = """
                auth:
                  tokens:
                    - token: "s3cret-writer"
                      name: ingest
                      grants:
                        - { prefix: "app/", actions: [read, write] }
                    - sha256: "%s"
                      name: reader
                      grants:
                        - { prefix: "", actions: [read] }
                    - token: "s3cret-admin"
                      name: root
                      grants: [ { prefix: "", actions: [admin] } ]
                    - token: "s3cret-cafe"
                      grants: [ { prefix: "café/", actions: [read, write] } ]
                    - token: "s3cret-forker"
                      grants: [ { prefix: "src/", actions: [read] }, { prefix: "dst/", actions: [write] } ]
                  jwt:
                    jwks: "file:%s"
                    issuer: "%s"
                    audience: "%s"
                    grants-claim: "ds"
                    clock-skew: 60s
                  public-read: ["public/"]
                  allow-query-token: %s
                """;
        server = start(String.format(yaml, readerSha, jwks, ISSUER, AUDIENCE, "true"));
        noQueryToken = start(String.format(yaml, readerSha, jwks, ISSUER, AUDIENCE, "false"));
    }

    static InProcessServer start(String yaml) throws Exception {
        var root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        AccessControl access = new AccessControl(AuthPolicy.fromConfig(root.get("auth")), null,
                ClientAddresses.DIRECT, CorsPolicy.ANY);
        return new InProcessServer(64 << 20, MAX_READ, Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(5), access);
    }

    @AfterAll
    static void stop() {
        server.close();
        noQueryToken.close();
    }

    static HttpResponse<String> send(InProcessServer s, String method, String path, String body, String token,
                                     String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path, String body, String token, String... headers)
            throws Exception {
        return send(server, method, path, body, token, headers);
    }

    /** HTTP/2 streams run the same gates as HTTP/1.1 requests: each stream is authenticated on its own. */
    @Test
    void http2StreamsAreAuthenticatedToo() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The first request upgrades the connection (h2c); every later one is a stream of it.
        h2.send(HttpRequest.newBuilder(URI.create(server.base + "public/none?offset=-1")).build(),
                BodyHandlers.discarding());
        HttpResponse<String> anonymous = h2.send(HttpRequest.newBuilder(URI.create(server.base + "app/h2"))
                .PUT(BodyPublishers.noBody()).header("Content-Type", "text/plain").build(), BodyHandlers.ofString());
        assertThat(anonymous.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(header(anonymous, "WWW-Authenticate")).startsWith("Bearer");
        HttpResponse<String> reader = h2.send(HttpRequest.newBuilder(URI.create(server.base + "app/h2"))
                .PUT(BodyPublishers.noBody()).header("Content-Type", "text/plain")
                .header("Authorization", "Bearer s3cret-reader").build(), BodyHandlers.ofString());
        assertThat(reader.statusCode()).isEqualTo(403);
        HttpResponse<String> writer = h2.send(HttpRequest.newBuilder(URI.create(server.base + "app/h2"))
                .PUT(BodyPublishers.noBody()).header("Content-Type", "text/plain")
                .header("Authorization", "Bearer s3cret-writer").build(), BodyHandlers.ofString());
        assertThat(writer.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(writer.statusCode()).isEqualTo(201);
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    static String fresh(String prefix) {
        return prefix + UUID.randomUUID();
    }

    static void assertProblem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(header(r, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.body()).contains("\"status\":" + status);
        if (status == 401) assertThat(header(r, "WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void missingMalformedOrUnknownCredentialsAre401WithChallenge() throws Exception {
        assertProblem(send("GET", "app/x?offset=-1", null, null), 401);
        assertThat(header(send("GET", "app/x?offset=-1", null, null), "WWW-Authenticate")).doesNotContain("error=");
        assertProblem(send("GET", "app/x?offset=-1", null, null, "Authorization", "Basic dXNlcjpwYXNz"), 401);
        assertProblem(send("GET", "app/x?offset=-1", null, null, "Authorization", "Bearer"), 401);
        HttpResponse<String> unknown = send("PUT", "app/x", null, "not-a-token");
        assertProblem(unknown, 401);
        assertThat(header(unknown, "WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(unknown.body()).doesNotContain("not-a-token");
    }

    @Test
    void staticTokensActOnlyWithinTheirGrants() throws Exception {
        String s = fresh("app/");
        assertThat(send("PUT", s, null, "s3cret-writer", "Content-Type", "text/plain").statusCode()).isEqualTo(201);
        assertThat(send("POST", s, "hello", "s3cret-writer", "Content-Type", "text/plain").statusCode()).isIn(200, 204);
        assertThat(send("GET", s + "?offset=-1", null, "s3cret-writer").body()).isEqualTo("hello");
        assertProblem(send("PUT", fresh("other/"), null, "s3cret-writer", "Content-Type", "text/plain"), 403);
        assertProblem(send("GET", fresh("other/") + "?offset=-1", null, "s3cret-writer"), 403);
        assertProblem(send("DELETE", s, null, "s3cret-writer"), 403);
        // The reader is configured by its SHA-256 only.
        assertThat(send("GET", s + "?offset=-1", null, "s3cret-reader").body()).isEqualTo("hello");
        assertThat(send("HEAD", s, null, "s3cret-reader").statusCode()).isEqualTo(200);
        HttpResponse<String> denied = send("POST", s, "x", "s3cret-reader", "Content-Type", "text/plain");
        assertProblem(denied, 403);
        assertThat(denied.body()).contains("reader").doesNotContain("s3cret");
        assertProblem(send("DELETE", s, null, "s3cret-reader"), 403);
        assertThat(send("DELETE", s, null, "s3cret-admin").statusCode()).isEqualTo(204);
    }

    @Test
    void publicReadNeedsNoTokenButWritesDo() throws Exception {
        String s = fresh("public/");
        send("PUT", s, "x".repeat(3 * MAX_READ), "s3cret-admin", "Content-Type", "text/plain");
        HttpResponse<String> history = send("GET", s + "?offset=-1", null, null);
        assertThat(history.statusCode()).isEqualTo(200);
        assertThat(header(history, "Cache-Control")).isEqualTo(ReadHandler.CACHEABLE);
        assertThat(history.headers().allValues("Vary")).noneMatch(v -> v.contains("Authorization"));
        assertProblem(send("POST", s, "x", null, "Content-Type", "text/plain"), 401);
        assertProblem(send("POST", s, "x", "s3cret-reader", "Content-Type", "text/plain"), 403);
        // A bad token is refused even where no token is needed.
        assertProblem(send("GET", s + "?offset=-1", null, "wrong"), 401);
    }

    @Test
    void authenticatedReadsArePrivatelyCached() throws Exception {
        String s = fresh("app/");
        send("PUT", s, "x".repeat(3 * MAX_READ), "s3cret-writer", "Content-Type", "text/plain");
        HttpResponse<String> history = send("GET", s + "?offset=-1", null, "s3cret-writer");
        assertThat(header(history, "Stream-Up-To-Date")).isNull();
        assertThat(header(history, "Cache-Control")).isEqualTo("private, max-age=60, stale-while-revalidate=300");
        assertThat(header(history, "Vary")).contains("Authorization");
        HttpResponse<String> tail = send("GET", s + "?offset=" + header(send("HEAD", s, null, "s3cret-writer"),
                "Stream-Next-Offset"), null, "s3cret-writer");
        assertThat(header(tail, "Cache-Control")).isEqualTo("private, no-cache");
        HttpResponse<String> notModified = send("GET", s + "?offset=-1", null, "s3cret-writer", "If-None-Match",
                header(history, "ETag"));
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(header(notModified, "Cache-Control")).startsWith("private");
        HttpResponse<String> longPoll = send("GET", s + "?offset=-1&live=long-poll", null, "s3cret-writer");
        assertThat(header(longPoll, "Cache-Control")).startsWith("private");
        HttpResponse<InputStream> sse = client.send(HttpRequest.newBuilder(URI.create(server.base + s
                + "?offset=-1&live=sse")).header("Authorization", "Bearer s3cret-writer").build(),
                BodyHandlers.ofInputStream());
        sse.body().close();
        assertThat(header(sse, "Cache-Control")).isEqualTo("private, no-cache");
        assertThat(header(sse, "Vary")).contains("Authorization");
    }

    static JWTClaimsSet.Builder claims(String issuer, String audience, Instant exp) {
        return new JWTClaimsSet.Builder().subject("alice").issuer(issuer).audience(audience)
                .expirationTime(Date.from(exp))
                .claim("ds", List.of(Map.of("prefix", "app/", "actions", List.of("read", "write"))));
    }

    static JWTClaimsSet good() {
        return claims(ISSUER, AUDIENCE, Instant.now().plusSeconds(600)).build();
    }

    static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** EdDSA signed with the JDK (the JOSE library's own Ed25519 signer needs another crypto library). */
    static String signEd25519(PrivateKey key, String kid, JWTClaimsSet claims) throws Exception {
        String header = Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"" + kid + "\"}").toString();
        String input = header + "." + Base64URL.encode(claims.toString());
        Signature sig = Signature.getInstance("Ed25519");
        sig.initSign(key);
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(sig.sign());
    }

    @Test
    void jwtsSignedWithRs256Es256AndEdDsaCarryTheirGrants() throws Exception {
        String s = fresh("app/");
        String rs = sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa), good());
        String es = sign(JWSAlgorithm.ES256, "ec", new ECDSASigner(ec), good());
        String eddsa = signEd25519(ed.getPrivate(), "ed", good());
        assertThat(send("PUT", s, null, rs, "Content-Type", "text/plain").statusCode()).isEqualTo(201);
        assertThat(send("POST", s, "a", es, "Content-Type", "text/plain").statusCode()).isIn(200, 204);
        assertThat(send("POST", s, "b", eddsa, "Content-Type", "text/plain").statusCode()).isIn(200, 204);
        assertThat(send("GET", s + "?offset=-1", null, eddsa).body()).isEqualTo("ab");
        assertProblem(send("GET", fresh("other/") + "?offset=-1", null, rs), 403);
        assertProblem(send("DELETE", s, null, es), 403);
    }

    @Test
    void badJwtsAre401() throws Exception {
        String s = "app/jwt-refused";
        RSAKey otherRsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        KeyPair otherEd = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Instant now = Instant.now();
        List<String> refused = List.of(
                sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(otherRsa), good()),               // wrong key
                signEd25519(otherEd.getPrivate(), "ed", good()),                                     // wrong key
                sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa),
                        claims(ISSUER, "someone-else", now.plusSeconds(600)).build()),                  // audience
                sign(JWSAlgorithm.ES256, "ec", new ECDSASigner(ec),
                        claims("https://evil.test", AUDIENCE, now.plusSeconds(600)).build()),            // issuer
                sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa),
                        claims(ISSUER, AUDIENCE, now.minusSeconds(600)).build()),                         // expired
                sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa),
                        new JWTClaimsSet.Builder(good()).expirationTime(null).build()),                  // no exp
                new PlainJWT(good()).serialize(),                                                        // alg none
                sign(JWSAlgorithm.HS256, "rsa", new MACSigner(rsa.toRSAPublicKey().getEncoded()), good()), // HMAC
                sign(JWSAlgorithm.RS256, "unknown-kid", new RSASSASigner(rsa), good()));
        for (String token : refused) {
            HttpResponse<String> r = send("GET", s + "?offset=-1", null, token);
            assertProblem(r, 401);
            assertThat(header(r, "WWW-Authenticate")).contains("invalid_token");
        }
        // Expired, but within the 60 s clock skew: accepted.
        String lateButSkewed = sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa),
                claims(ISSUER, AUDIENCE, now.minusSeconds(20)).build());
        assertThat(send("GET", s + "?offset=-1", null, lateButSkewed).statusCode()).isEqualTo(404);
    }

    @Test
    void queryTokenOnlyOnGetAndOnlyWhenAllowed() throws Exception {
        String s = fresh("app/");
        send("PUT", s, "q", "s3cret-writer", "Content-Type", "text/plain");
        noQueryToken.store.create(new dev.durablestreams.storage.CreateRequest(s, "text/plain", null, null, false,
                "q".getBytes(StandardCharsets.UTF_8), null)).join();
        HttpResponse<String> viaQuery = send("GET", s + "?offset=-1&token=s3cret-reader", null, null);
        assertThat(viaQuery.statusCode()).isEqualTo(200);
        assertThat(viaQuery.body()).isEqualTo("q");
        assertProblem(send("POST", s + "?token=s3cret-writer", "x", null, "Content-Type", "text/plain"), 401);
        assertProblem(send(noQueryToken, "GET", s + "?offset=-1&token=s3cret-reader", null, null), 401);
        assertThat(send(noQueryToken, "GET", s + "?offset=-1", null, "s3cret-reader").body()).isEqualTo("q");
    }

    @Test
    void forkNeedsReadOnTheSourceAndWriteOnTheNewPath() throws Exception {
        String src = fresh("src/");
        send("PUT", src, "abc", "s3cret-admin", "Content-Type", "text/plain");
        HttpResponse<String> forked = send("PUT", fresh("dst/"), null, "s3cret-forker",
                "Stream-Forked-From", "/v1/stream/" + src);
        assertThat(forked.statusCode()).as(forked.body()).isEqualTo(201);
        // Write on the target alone is not enough: app/ grants no read on src/.
        assertProblem(send("PUT", fresh("app/"), null, "s3cret-writer", "Stream-Forked-From", "/v1/stream/" + src), 403);
        // Read on the source alone is not enough either.
        assertProblem(send("PUT", fresh("src/"), null, "s3cret-forker", "Stream-Forked-From", src), 403);
    }

    /** A pull-wake claim is a worker's job: any credential with read on the subscription's wake stream. */
    @Test
    void claimNeedsReadOnTheWakeStream() throws Exception {
        String id = "claims-" + UUID.randomUUID().toString().substring(0, 8);
        String sub = "{\"type\":\"pull-wake\",\"streams\":[\"app/jobs/*\"],\"wake_stream\":\"app/wake-" + id + "\"}";
        assertThat(send("PUT", "__ds/subscriptions/" + id, sub, "s3cret-admin", "Content-Type", "application/json")
                .statusCode()).isEqualTo(201);
        String claim = "{\"worker\":\"w1\"}";
        HttpResponse<String> anonymous = send("POST", "__ds/subscriptions/" + id + "/claim", claim, null);
        assertProblem(anonymous, 401);
        HttpResponse<String> outsider = send("POST", "__ds/subscriptions/" + id + "/claim", claim, "s3cret-cafe");
        assertThat(outsider.statusCode()).isEqualTo(403);
        assertThat(outsider.body()).contains("FORBIDDEN");
        // ingest reads app/: it may claim (nothing is pending yet, so the answer is NO_PENDING_WORK, not a refusal).
        HttpResponse<String> worker = send("POST", "__ds/subscriptions/" + id + "/claim", claim, "s3cret-writer");
        assertThat(worker.statusCode()).as(worker.body()).isEqualTo(409);
        assertThat(worker.body()).contains("NO_PENDING_WORK");
    }

    @Test
    void managementRoutesNeedAdminAndTheKeySetIsOpen() throws Exception {
        HttpResponse<String> jwks = send("GET", "__ds/jwks.json", null, null);
        assertThat(jwks.statusCode()).isEqualTo(200);
        // Ack, callback and release carry the wake's own token: the subscription API judges it, not server auth.
        for (String action : new String[] {"ack", "callback", "release"}) {
            HttpResponse<String> r = send("POST", "__ds/subscriptions/x/" + action, "{}", "wake-token");
            assertThat(header(r, "WWW-Authenticate")).as(action).isNull();
            assertThat(r.statusCode()).as(action).isNotEqualTo(403);
        }
        // Management routes carry URL-encoded stream paths; the escaped '/' is the subscription API's to decode.
        assertThat(send("DELETE", "__ds/subscriptions/x/streams/a%2Fb", null, "s3cret-admin").statusCode())
                .isNotIn(400, 401, 403);
        assertProblem(send("DELETE", "__ds/subscriptions/x/streams/a%2Fb", null, "s3cret-writer"), 403);
        assertProblem(send("GET", "__ds/subscriptions/x", null, null), 401);
        assertProblem(send("POST", "__ds/subscriptions/x", "{}", "s3cret-writer"), 403);
        assertThat(send("GET", "__ds/subscriptions/x", null, "s3cret-admin").statusCode()).isEqualTo(404);
        String root = server.base.replace("/v1/stream/", "");
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(root + "/metrics")).build(),
                BodyHandlers.ofString());
        assertProblem(metrics, 401);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(root + "/healthz")).build(),
                BodyHandlers.ofString());
        assertThat(health.statusCode()).isNotIn(401, 403);
    }

    @Test
    void refusalsAreLoggedWithoutTheirCredentials() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AuthHandler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        ch.qos.logback.classic.Level before = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.DEBUG);
        log.addAppender(events);
        try {
            send("GET", "app/logged?offset=-1&token=query-secret-1", null, null);
            send("GET", "app/logged?offset=-1", null, "header-secret-2");
            send("POST", "other/logged?token=s3cret-writer", "x", "s3cret-writer", "Content-Type", "text/plain");
        } finally {
            log.detachAppender(events);
            log.setLevel(before);
        }
        assertThat(events.list).hasSize(3);
        assertThat(events.list).allSatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("logged").doesNotContain("secret", "s3cret"));
    }

    @Test
    void grantsSeeTheStreamNameTheRouterServes() throws Exception {
        // Raw UTF-8 and percent-escapes name the same stream; the grant on "café/" covers both spellings.
        for (String target : new String[] {"/v1/stream/café/raw", "/v1/stream/caf%C3%A9/escaped"}) {
            try (Socket socket = new Socket("127.0.0.1", port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("PUT " + target + " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n"
                        + "Authorization: Bearer s3cret-cafe\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 201");
            }
        }
        assertThat(send("GET", "caf%C3%A9/raw?offset=-1", null, "s3cret-cafe").statusCode()).isEqualTo(200);
        // An escaped '/' is refused before any grant is consulted, as the router would.
        assertProblem(send("GET", "caf%C3%A9%2Fx?offset=-1", null, "s3cret-cafe"), 400);
    }

    static int port() {
        return URI.create(server.base).getPort();
    }

    static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void refusalArrivesBeforeAHugeBodyIsSentAndClosesTheConnection() throws Exception {
        for (String auth : new String[] {"", "Authorization: Bearer s3cret-reader\r\n"}) {
            try (Socket socket = new Socket("127.0.0.1", port())) {
                socket.setSoTimeout(10_000); // a guard against a hang, never reached when the server is right
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/stream/app/huge HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n" + auth
                        + "Content-Length: " + (64L << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush(); // headers only: the 64 MiB body is never sent
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                assertThat(head).startsWith(auth.isEmpty() ? "HTTP/1.1 401" : "HTTP/1.1 403");
                assertThat(head.toLowerCase()).contains("connection: close");
                int length = Integer.parseInt(head.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
                assertThat(in.readNBytes(length)).hasSize(length);
                assertThat(in.read()).isEqualTo(-1); // closed, since the unread body cannot be skipped
            }
        }
    }

    @Test
    void aRefusedRequestWithoutBodyLeavesTheConnectionUsable() throws Exception {
        String s = fresh("app/");
        send("PUT", s, "ok", "s3cret-writer", "Content-Type", "text/plain");
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/stream/" + s + "?offset=-1 HTTP/1.1\r\nHost: test\r\n\r\n"
                    + "GET /v1/stream/" + s + "?offset=-1 HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer s3cret-reader\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String first = readHead(in);
            assertThat(first).startsWith("HTTP/1.1 401");
            int length = Integer.parseInt(first.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
            in.readNBytes(length);
            String second = readHead(in);
            assertThat(second).startsWith("HTTP/1.1 200");
            assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
        }
    }
}
