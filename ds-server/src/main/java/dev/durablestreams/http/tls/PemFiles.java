package dev.durablestreams.http.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM certificate chain and a PEM PKCS#8 private key, and checks that they belong together, so a
 * half-replaced pair (new certificate, old key) is refused instead of served.
 */
final class PemFiles {
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {}

    /** A certificate chain (leaf first) and its private key. */
    record KeyPair(X509Certificate[] chain, PrivateKey key) {}

    static KeyPair read(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)))
                .stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        if (chain.length == 0) throw new GeneralSecurityException("no certificate in " + certFile);
        PrivateKey key = privateKey(keyFile);
        requireMatch(chain[0], key, certFile, keyFile);
        return new KeyPair(chain, key);
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
        Matcher m = PKCS8.matcher(Files.readString(keyFile, StandardCharsets.US_ASCII));
        if (!m.find()) throw new GeneralSecurityException(keyFile + " holds no PKCS#8 key (BEGIN PRIVATE KEY); "
                + "convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next one
            }
        }
        throw new GeneralSecurityException(keyFile + " holds neither an RSA nor an EC key");
    }

    /** Signs random bytes with the key and verifies them with the certificate's public key. */
    private static void requireMatch(X509Certificate leaf, PrivateKey key, Path certFile, Path keyFile)
            throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        boolean matches;
        try {
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (java.security.InvalidKeyException differentAlgorithm) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException("the key in " + keyFile + " does not match the certificate in "
                    + certFile);
        }
    }
}
