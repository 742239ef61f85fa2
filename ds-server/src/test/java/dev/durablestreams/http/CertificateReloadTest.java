package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.http.tls.TlsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Replacing the certificate files makes new connections get the new certificate, found by the periodic file
 * check, while a connection opened before keeps working; a key that does not match its certificate is refused
 * and the previous certificate stays in use.
 */
class CertificateReloadTest {

    @Test
    void newConnectionsGetTheNewCertificateAndOpenOnesKeepWorking() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "reload");
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Path spare = Files.createDirectory(dir.resolve("spare"));
        TestCertificates.Pair first = TestCertificates.generate(certFile, keyFile, "first", "EC");
        TestCertificates.Pair second = TestCertificates.generate(spare.resolve("c.pem"), spare.resolve("k.pem"),
                "second", "EC");
        TestCertificates.Pair third = TestCertificates.generate(spare.resolve("c3.pem"), spare.resolve("k3.pem"),
                "third", "EC");
        SSLContext trustAll = trusting(first.certificate(), second.certificate(), third.certificate());
        ReloadingSslContext tls = new ReloadingSslContext(new TlsOptions(certFile, keyFile, Duration.ofMillis(50)));
        try (InProcessServer server = new InProcessServer(1 << 20, 1 << 20, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5), tls)) {
            SSLSocket before = connect(trustAll, server.port);
            assertThat(peerName(before)).isEqualTo("CN=first");
            assertThat(get(before)).isEqualTo("HTTP/1.1 404 Not Found");

            replace(second.cert(), certFile);
            replace(second.key(), keyFile);
            waitForPeer(trustAll, server.port, "CN=second");

            // The connection opened before the reload still works, on its original certificate.
            assertThat(get(before)).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(peerName(before)).isEqualTo("CN=first");
            before.close();

            // A certificate with a key not its own is refused; the last good pair stays in use.
            replace(third.cert(), certFile);
            assertThat(tls.reload()).isFalse();
            try (SSLSocket after = connect(trustAll, server.port)) {
                assertThat(peerName(after)).isEqualTo("CN=second");
                assertThat(get(after)).isEqualTo("HTTP/1.1 404 Not Found");
            }
        }
    }

    /** Copies a file over another and moves its modification time forward, as a deployment tool would. */
    private static void replace(Path from, Path to) throws IOException {
        FileTime old = Files.getLastModifiedTime(to);
        Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(to, FileTime.fromMillis(old.toMillis() + 1000));
    }

    private static void waitForPeer(SSLContext trust, int port, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String seen;
        do {
            try (SSLSocket s = connect(trust, port)) {
                seen = peerName(s);
            }
            if (seen.equals(expected)) return;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(seen).as("certificate of a new connection").isEqualTo(expected);
    }

    private static SSLSocket connect(SSLContext trust, int port) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port);
        s.startHandshake();
        return s;
    }

    private static String peerName(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    /** One keep-alive HTTP/1.1 request on the socket; returns the status line after reading the whole response. */
    private static String get(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        int length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
        }
        assertThat(in.readNBytes(length)).hasSize(length);
        return status;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static SSLContext trusting(X509Certificate... certs) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < certs.length; i++) ks.setCertificateEntry("c" + i, certs[i]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
