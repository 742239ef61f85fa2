package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The webhook signing keys (Ed25519): one active private key, and public keys rotated out that stay published in
 * the JWKS until {@code until} (past the receivers' replay window). The {@code kid} is {@code ds_} + the RFC 7638
 * JWK thumbprint, so it is stable for the key's lifetime.
 */
public final class SigningKeys {
    /** A published public key. {@code until} is 0 for the active key. */
    public record PublicJwk(String kid, String x, long until) {}

    static final String ACTIVE = "webhook-signing-key";
    static final String RETIRED = "webhook-retired-keys";
    /** How long a rotated-out key stays in the JWKS: the 5-minute replay window, with margin. */
    static final long RETIRED_KEEP_MS = 15 * 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey privateKey;
    private final PublicJwk active;
    private final List<PublicJwk> retired;

    private SigningKeys(PrivateKey privateKey, PublicJwk active, List<PublicJwk> retired) {
        this.privateKey = privateKey;
        this.active = active;
        this.retired = retired;
    }

    /** Generates a new Ed25519 key. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) Ed25519 key and derives its public key. */
    public static KeyPair readPem(Path file) {
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey priv = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            return derive(priv);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read Ed25519 PKCS#8 PEM key from " + file + ": " + e.getMessage(), e);
        }
    }

    /** An Ed25519 private key is a 32-byte seed; regenerating from that seed yields its public key. */
    static KeyPair derive(PrivateKey priv) throws Exception {
        byte[] seed = ((EdECPrivateKey) priv).getBytes().orElseThrow();
        SecureRandom fixed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        };
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519, fixed);
        KeyPair pair = g.generateKeyPair();
        if (!Arrays.equals(((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow(), seed)) {
            throw new IllegalStateException("could not derive the public key");
        }
        return pair;
    }

    /**
     * Builds the key set from the stored secrets and an optional configured key. A configured key that differs from
     * the stored active key replaces it; the old public key is kept as retired until the replay window has passed.
     *
     * @param out receives the secrets to store (empty when nothing changed)
     */
    public static SigningKeys load(byte[] storedActive, byte[] storedRetired, KeyPair configured, long now,
                                   java.util.Map<String, byte[]> out) {
        try {
            KeyPair stored = storedActive == null ? null : derive(KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(storedActive)));
            List<PublicJwk> retired = new ArrayList<>();
            if (storedRetired != null) {
                for (var n : JSON.readTree(storedRetired)) {
                    long until = n.path("until").asLong();
                    if (until > now) retired.add(new PublicJwk(n.path("kid").asText(), n.path("x").asText(), until));
                }
            }
            KeyPair use = configured != null ? configured : stored != null ? stored : generate();
            PublicJwk active = jwk(use.getPublic(), 0);
            boolean changed = stored == null
                    || !Arrays.equals(stored.getPrivate().getEncoded(), use.getPrivate().getEncoded());
            if (changed) {
                if (stored != null) retired.add(jwk(stored.getPublic(), now + RETIRED_KEEP_MS));
                out.put(ACTIVE, use.getPrivate().getEncoded());
                ArrayNode arr = JSON.createArrayNode();
                for (PublicJwk r : retired) arr.addObject().put("kid", r.kid()).put("x", r.x()).put("until", r.until());
                out.put(RETIRED, JSON.writeValueAsBytes(arr));
            }
            retired.removeIf(r -> r.kid().equals(active.kid()));
            return new SigningKeys(use.getPrivate(), active, List.copyOf(retired));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load webhook signing keys: " + e.getMessage(), e);
        }
    }

    static PublicJwk jwk(PublicKey pub, long until) {
        byte[] der = pub.getEncoded();
        // X.509 SubjectPublicKeyInfo for Ed25519 is a fixed 12-byte header and the 32-byte key.
        byte[] raw = Arrays.copyOfRange(der, der.length - 32, der.length);
        String x = B64.encodeToString(raw);
        String canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}";
        try {
            byte[] thumb = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.US_ASCII));
            return new PublicJwk("ds_" + B64.encodeToString(thumb), x, until);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String kid() {
        return active.kid();
    }

    /** The JWK Set: the active key, then retired keys still inside their window. */
    public byte[] jwks(long now) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode keys = root.putArray("keys");
        List<PublicJwk> all = new ArrayList<>();
        all.add(active);
        for (PublicJwk r : retired) if (r.until() > now) all.add(r);
        for (PublicJwk k : all) {
            keys.addObject().put("kty", "OKP").put("crv", "Ed25519").put("kid", k.kid()).put("use", "sig")
                    .put("alg", "EdDSA").put("x", k.x());
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code Webhook-Signature} header value: Ed25519 over {@code <t>.<body>}. */
    public String signatureHeader(long unixSeconds, byte[] body) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            s.update(body);
            return "t=" + unixSeconds + ",kid=" + active.kid() + ",ed25519=" + B64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
