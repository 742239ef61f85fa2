package dev.durablestreams.cli;

import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.ServerConfig;
import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.http.tls.TlsOptions;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import dev.durablestreams.storage.rocksdb.RocksLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code ds-server} command. Every flag can also be set by the environment variable named in its help. */
@Command(name = "ds-server", mixinStandardHelpOptions = true, version = "ds-server 0.1.0",
        description = "Durable Streams protocol server.",
        sortOptions = false)
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Storage backends. */
    enum Storage { rocksdb, memory }

    /** How appends reach the disk before they are acknowledged (rocksdb only). */
    enum Durability { sync, async }

    @Option(names = "--host", defaultValue = "${env:DS_HOST:-127.0.0.1}",
            description = "Address to bind (env DS_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:DS_PORT:-4437}",
            description = "Port to listen on, 0 for any free port (env DS_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--storage", defaultValue = "${env:DS_STORAGE:-rocksdb}",
            description = "Storage backend: ${COMPLETION-CANDIDATES} (env DS_STORAGE; default ${DEFAULT-VALUE}).")
    Storage storage;

    @Option(names = "--data-dir", defaultValue = "${env:DS_DATA_DIR:-./data}",
            description = "Directory of the rocksdb backend (env DS_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--durability", defaultValue = "${env:DS_DURABILITY:-sync}",
            description = "sync: acknowledge appends after the write-ahead log is synced (group commit); "
                    + "async: after it is written, before the sync (env DS_DURABILITY; default ${DEFAULT-VALUE}).")
    Durability durability;

    @Option(names = "--long-poll-timeout", defaultValue = "${env:DS_LONG_POLL_TIMEOUT:-30s}",
            converter = Units.DurationConverter.class,
            description = "How long a long-poll waits for data before 204 (env DS_LONG_POLL_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration longPollTimeout;

    @Option(names = "--sse-max-duration", defaultValue = "${env:DS_SSE_MAX_DURATION:-60s}",
            converter = Units.DurationConverter.class,
            description = "SSE responses end after this long; clients reconnect (env DS_SSE_MAX_DURATION; default ${DEFAULT-VALUE}).")
    Duration sseMaxDuration;

    @Option(names = "--sse-keepalive", defaultValue = "${env:DS_SSE_KEEPALIVE:-15s}",
            converter = Units.DurationConverter.class,
            description = "Idle SSE responses get a keep-alive control event this often (env DS_SSE_KEEPALIVE; default ${DEFAULT-VALUE}).")
    Duration sseKeepAlive;

    @Option(names = "--max-body", defaultValue = "${env:DS_MAX_BODY:-64MiB}", converter = Units.SizeConverter.class,
            description = "Largest request body; larger ones get 413 (env DS_MAX_BODY; default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--max-read", defaultValue = "${env:DS_MAX_READ:-4MiB}", converter = Units.SizeConverter.class,
            description = "Largest response chunk of a read (env DS_MAX_READ; default ${DEFAULT-VALUE}).")
    long maxRead;

    @Option(names = "--max-stream-bytes", defaultValue = "${env:DS_MAX_STREAM_BYTES:-0}",
            converter = Units.SizeConverter.class,
            description = "Bytes one stream may hold, 0 = unlimited; beyond it appends get 413 (env DS_MAX_STREAM_BYTES).")
    long maxStreamBytes;

    @Option(names = "--max-total-bytes", defaultValue = "${env:DS_MAX_TOTAL_BYTES:-0}",
            converter = Units.SizeConverter.class,
            description = "Bytes all streams may hold, 0 = unlimited; beyond it appends get 507 (env DS_MAX_TOTAL_BYTES).")
    long maxTotalBytes;

    @Option(names = "--tls-cert", defaultValue = "${env:DS_TLS_CERT}",
            description = "PEM certificate (optionally followed by its chain); with --tls-key the port serves HTTPS, "
                    + "HTTP/2 and HTTP/1.1 by ALPN (env DS_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:DS_TLS_KEY}",
            description = "PEM PKCS#8 private key (RSA or EC) of --tls-cert (env DS_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-reload-interval", defaultValue = "${env:DS_TLS_RELOAD_INTERVAL:-10s}",
            converter = Units.DurationConverter.class,
            description = "How often the certificate and key files are checked for changes, 0 = never; SIGHUP "
                    + "also reloads them (env DS_TLS_RELOAD_INTERVAL; default ${DEFAULT-VALUE}).")
    Duration tlsReloadInterval;

    @Override
    public Integer call() throws Exception {
        if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 8) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-body must be between 1 byte and 2GiB");
        if (maxRead < 1024 || maxRead > 256L << 20) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-read must be between 1KiB and 256MiB");
        if ((tlsCert == null) != (tlsKey == null)) throw new CommandLine.ParameterException(
                new CommandLine(this), "--tls-cert and --tls-key go together");
        // Loaded before storage opens: a bad certificate fails the start without touching data.
        ReloadingSslContext tls = null;
        if (tlsCert != null) {
            try {
                tls = new ReloadingSslContext(new TlsOptions(tlsCert, tlsKey, tlsReloadInterval));
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "cannot use --tls-cert " + tlsCert + " --tls-key " + tlsKey + ": " + e);
            }
        }
        ServerConfig config = new ServerConfig(host, port, (int) maxBody, (int) maxRead, longPollTimeout,
                sseMaxDuration, sseKeepAlive);
        EngineOptions limits = new EngineOptions(maxStreamBytes == 0 ? Long.MAX_VALUE : maxStreamBytes,
                maxTotalBytes == 0 ? Long.MAX_VALUE : maxTotalBytes);
        StreamStore store = switch (storage) {
            case memory -> new StreamEngine(new MemoryLog(), limits);
            case rocksdb -> new StreamEngine(RocksLog.open(dataDir, durability == Durability.sync), limits);
        };
        LOG.info("storage: {}{}", storage, storage == Storage.rocksdb ? " at " + dataDir.toAbsolutePath()
                + " (durability " + durability + ")" : "");
        HttpServer server = new HttpServer(config, store, tls);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
        }, "ds-shutdown"));
        server.start();
        server.awaitClose();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
