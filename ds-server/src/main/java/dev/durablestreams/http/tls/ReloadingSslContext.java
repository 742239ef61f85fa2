package dev.durablestreams.http.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context, offering HTTP/2 and HTTP/1.1 by ALPN, rebuilt when the certificate or key file
 * changes (a periodic modification-time check) or on SIGHUP. Each new connection takes the current context; open
 * connections keep the one they started with, so a reload drops nothing. A pair that fails to load (say a
 * certificate replaced before its key) is refused with a warning and the previous context stays in use.
 */
public final class ReloadingSslContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final TlsOptions options;
    private final ScheduledExecutorService checker;
    private volatile SslContext current;
    private List<Object> loadedStamp;
    private List<Object> failedStamp;

    /** Loads the files now (failing if they are unusable) and starts watching them. */
    public ReloadingSslContext(TlsOptions options) throws IOException, GeneralSecurityException {
        this.options = options;
        List<Object> stamp = stamp();
        this.current = build();
        this.loadedStamp = stamp;
        if (options.reloadInterval().isZero()) {
            checker = null;
        } else {
            checker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ds-tls-reload");
                t.setDaemon(true);
                return t;
            });
            long ms = options.reloadInterval().toMillis();
            checker.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
        }
        Signals.onHangup(() -> {
            if (checker != null) checker.execute(this::reload);
            else reload();
        });
    }

    /** The context for the next connection. */
    public SslContext current() {
        return current;
    }

    /**
     * Rebuilds the context if either file's modification time or size changed since the last attempt.
     *
     * @return whether a new context is now in use
     */
    public synchronized boolean reloadIfChanged() {
        List<Object> stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            LOG.warn("cannot read TLS files ({}); keeping the current certificate", e.toString());
            return false;
        }
        if (stamp.equals(loadedStamp) || stamp.equals(failedStamp)) return false;
        return load(stamp);
    }

    /** Rebuilds the context from the files as they are now. */
    public synchronized boolean reload() {
        try {
            return load(stamp());
        } catch (IOException e) {
            LOG.warn("cannot read TLS files ({}); keeping the current certificate", e.toString());
            return false;
        }
    }

    private boolean load(List<Object> stamp) {
        try {
            current = build();
            loadedStamp = stamp;
            failedStamp = null;
            LOG.info("TLS certificate reloaded from {}", options.certFile());
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            failedStamp = stamp; // retried when the files change again
            LOG.warn("TLS certificate not reloaded, keeping the current one: {}", e.getMessage());
            return false;
        }
    }

    private List<Object> stamp() throws IOException {
        return List.of(Files.getLastModifiedTime(options.certFile()), Files.size(options.certFile()),
                Files.getLastModifiedTime(options.keyFile()), Files.size(options.keyFile()));
    }

    private SslContext build() throws IOException, GeneralSecurityException {
        PemFiles.KeyPair pair = PemFiles.read(options.certFile(), options.keyFile());
        return SslContextBuilder.forServer(pair.key(), pair.chain())
                .sslProvider(SslProvider.JDK)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    @Override
    public void close() {
        if (checker != null) checker.shutdownNow();
    }
}
