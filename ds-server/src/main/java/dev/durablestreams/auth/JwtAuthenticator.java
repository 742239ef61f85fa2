package dev.durablestreams.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies JWTs signed by an identity provider: RS256, ES256 or EdDSA (Ed25519) only, by a key of the provider's
 * key set whose type fits the algorithm; then issuer, audience, expiry (required) and not-before, with a clock
 * skew. Unsigned tokens ({@code alg: none}) and HMAC algorithms are refused before any key is looked at, so a
 * public key can never be used as an HMAC secret.
 */
final class JwtAuthenticator implements AutoCloseable {
    static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);
    private static final Set<String> KEYS = Set.of("jwks", "issuer", "audience", "grants-claim", "clock-skew",
            "jwks-refresh");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JwksCache keys;
    private final DefaultJWTClaimsVerifier<SecurityContext> claims;
    private final String grantsClaim;

    /** The outcome: a principal, or why the token was refused. */
    record Result(Principal principal, String failure) {}

    private JwtAuthenticator(JwksCache keys, DefaultJWTClaimsVerifier<SecurityContext> claims, String grantsClaim) {
        this.keys = keys;
        this.claims = claims;
        this.grantsClaim = grantsClaim;
    }

    /** Parses {@code auth.jwt}; {@code jwks} and {@code issuer} are required. */
    static JwtAuthenticator fromConfig(JsonNode jwt) {
        AuthConfigs.onlyKeys(jwt, KEYS, "auth.jwt");
        String jwks = AuthConfigs.text(jwt.get("jwks"));
        String issuer = AuthConfigs.text(jwt.get("issuer"));
        if (jwks == null || issuer == null) throw new IllegalArgumentException("auth.jwt needs jwks and issuer");
        String audience = AuthConfigs.text(jwt.get("audience"));
        String grantsClaim = jwt.hasNonNull("grants-claim") ? jwt.get("grants-claim").asText() : "ds";
        Duration skew = AuthConfigs.duration(jwt.get("clock-skew"), Duration.ofSeconds(60), "auth.jwt.clock-skew");
        Duration refresh = AuthConfigs.duration(jwt.get("jwks-refresh"), Duration.ofMinutes(5), "auth.jwt.jwks-refresh");
        Set<String> required = new HashSet<>(Set.of("exp", "iss"));
        if (audience != null) required.add("aud");
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                audience == null ? null : Set.of(audience), new JWTClaimsSet.Builder().issuer(issuer).build(),
                required, null);
        verifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, skew.toSeconds()));
        return new JwtAuthenticator(JwksCache.open(jwks, refresh), verifier, grantsClaim);
    }

    /** True when {@code token} has the shape of a JWS compact serialization (three dot-separated parts). */
    static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first;
    }

    Result authenticate(String token) {
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            return refused("malformed token");
        }
        if (!(parsed instanceof SignedJWT jws)) return refused("unsigned or encrypted tokens are refused");
        JWSHeader header = jws.getHeader();
        if (!ACCEPTED.contains(header.getAlgorithm())) {
            return refused("algorithm " + header.getAlgorithm() + " is refused (RS256, ES256, EdDSA)");
        }
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        List<JWK> candidates = matcher == null ? List.of() : new JWKSelector(matcher).select(keys.current());
        if (candidates.isEmpty()) {
            keys.unknownKey();
            return refused("no known signing key matches the token");
        }
        if (!verifiedByAny(jws, candidates)) return refused("bad signature");
        JWTClaimsSet set;
        try {
            set = jws.getJWTClaimsSet();
            claims.verify(set, null);
        } catch (ParseException e) {
            return refused("malformed claims");
        } catch (BadJWTException e) {
            return refused(e.getMessage());
        }
        List<Grant> grants;
        try {
            grants = Grant.listOf(JSON.valueToTree(set.getClaim(grantsClaim)), "claim " + grantsClaim);
        } catch (IllegalArgumentException e) {
            return refused("bad " + grantsClaim + " claim: " + e.getMessage());
        }
        String subject = set.getSubject();
        return new Result(new Principal("jwt:" + (subject == null ? "?" : subject), grants), null);
    }

    private static boolean verifiedByAny(SignedJWT jws, List<JWK> candidates) {
        for (JWK key : candidates) {
            try {
                JWSVerifier v = verifier(key);
                if (v != null && jws.verify(v)) return true;
            } catch (JOSEException | GeneralSecurityException e) {
                // an unusable key is skipped; another one may verify
            }
        }
        return false;
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException, GeneralSecurityException {
        if (key instanceof RSAKey rsa) return new RSASSAVerifier(rsa);
        if (key instanceof ECKey ec) return new ECDSAVerifier(ec);
        if (key instanceof OctetKeyPair okp) return new JdkEd25519Verifier(JdkEd25519Verifier.publicKey(okp));
        return null;
    }

    private static Result refused(String why) {
        return new Result(null, why);
    }

    @Override
    public void close() {
        keys.close();
    }
}
