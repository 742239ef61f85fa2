package dev.durablestreams.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A key set fetched over HTTP: preloaded at start, refreshed in the background when a token names a new key. */
class JwksRefreshTest {

    @Test
    void aRotatedKeyIsPickedUpByABackgroundRefresh() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        AtomicReference<String> served = new AtomicReference<>(new JWKSet(first.toPublicJWK()).toString());
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        idp.start();
        String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json";
        try (JwtAuthenticator jwt = JwtAuthenticator.fromConfig(new ObjectMapper().readTree(
                "{\"jwks\": \"" + url + "\", \"issuer\": \"idp\", \"jwks-refresh\": \"1h\"}"))) {
            assertThat(fetches.get()).as("preloaded at start").isEqualTo(1);
            assertThat(jwt.authenticate(token(first)).principal()).isNotNull();

            served.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
            String rotated = token(second);
            assertThat(jwt.authenticate(rotated).failure()).contains("no known signing key");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (jwt.authenticate(rotated).principal() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(jwt.authenticate(rotated).principal().name()).isEqualTo("jwt:bob");
            assertThat(fetches.get()).as("one early refresh, however many unknown-key tokens").isEqualTo(2);
        } finally {
            idp.stop(0);
        }
    }

    static String token(ECKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject("bob").issuer("idp")
                        .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
