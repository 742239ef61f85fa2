package dev.durablestreams.http.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the server's certificate and key live, and how often to look for new ones.
 *
 * @param certFile PEM file of the certificate, optionally followed by its chain
 * @param keyFile PEM file of the PKCS#8 private key (RSA or EC)
 * @param reloadInterval how often the files' modification times are checked; zero disables the check
 */
public record TlsOptions(Path certFile, Path keyFile, Duration reloadInterval) {
    public TlsOptions {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
    }
}
