package dev.durablestreams.cli;

import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.Limits;
import dev.durablestreams.http.ServerConfig;
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

    @Option(names = "--max-connections", defaultValue = "${env:DS_MAX_CONNECTIONS:-0}",
            description = "Connections open at once; more are closed when accepted. 0 = the process's file-descriptor "
                    + "limit minus headroom (env DS_MAX_CONNECTIONS; default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--header-timeout", defaultValue = "${env:DS_HEADER_TIMEOUT:-20s}",
            converter = Units.DurationConverter.class,
            description = "Time to receive a request head once it starts; then 408 and close, 0 = none "
                    + "(env DS_HEADER_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--body-timeout", defaultValue = "${env:DS_BODY_TIMEOUT:-30s}",
            converter = Units.DurationConverter.class,
            description = "Longest pause within a request body; then 408 and close, 0 = none "
                    + "(env DS_BODY_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--idle-timeout", defaultValue = "${env:DS_IDLE_TIMEOUT:-60s}",
            converter = Units.DurationConverter.class,
            description = "Keep-alive connections with no request and no open response are closed after this, 0 = "
                    + "never (env DS_IDLE_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--sse-chunk", defaultValue = "${env:DS_SSE_CHUNK:-256KiB}", converter = Units.SizeConverter.class,
            description = "Largest chunk of one SSE data event; --max-read if smaller (env DS_SSE_CHUNK; default ${DEFAULT-VALUE}).")
    long sseChunk;

    @Option(names = "--max-pending-output", defaultValue = "${env:DS_MAX_PENDING_OUTPUT:-256MiB}",
            converter = Units.SizeConverter.class,
            description = "Response bytes all connections may hold unsent; past it the slowest readers are closed, "
                    + "0 = unlimited (env DS_MAX_PENDING_OUTPUT; default ${DEFAULT-VALUE}).")
    long maxPendingOutput;

    @Option(names = "--max-inflight-body", defaultValue = "${env:DS_MAX_INFLIGHT_BODY:-0}",
            converter = Units.SizeConverter.class,
            description = "Request body bytes all requests in progress may hold; past it requests get 503. "
                    + "0 = a quarter of the heap, at most 512MiB, at least --max-body (env DS_MAX_INFLIGHT_BODY).")
    long maxInflightBody;

    @Override
    public Integer call() throws Exception {
        if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 8) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-body must be between 1 byte and 2GiB");
        if (maxRead < 1024 || maxRead > 256L << 20) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-read must be between 1KiB and 256MiB");
        if (sseChunk < 1024 || sseChunk > 256L << 20) throw new CommandLine.ParameterException(
                new CommandLine(this), "--sse-chunk must be between 1KiB and 256MiB");
        if (maxConnections < 0) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-connections must be 0 (derived) or more");
        if (maxPendingOutput < 0) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-pending-output must be 0 (unlimited) or more");
        if (maxInflightBody != 0 && maxInflightBody < maxBody) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-inflight-body must be at least --max-body (or 0 for the default)");
        Limits limits = new Limits(maxConnections == 0 ? Limits.defaultMaxConnections() : maxConnections,
                headerTimeout, bodyTimeout, idleTimeout, (int) sseChunk, maxPendingOutput,
                maxInflightBody == 0 ? Limits.defaultMaxInflightBody((int) maxBody) : maxInflightBody);
        LOG.info("limits: {} connections, pending output {} bytes, in-flight bodies {} bytes, timeouts: header {}, "
                + "body {}, idle {}", limits.maxConnections() == 0 ? "unlimited" : limits.maxConnections(),
                limits.maxPendingOutput(), limits.maxInflightBody(), headerTimeout, bodyTimeout, idleTimeout);
        ServerConfig config = new ServerConfig(host, port, (int) maxBody, (int) maxRead, longPollTimeout,
                sseMaxDuration, sseKeepAlive, limits);
        EngineOptions storageLimits = new EngineOptions(maxStreamBytes == 0 ? Long.MAX_VALUE : maxStreamBytes,
                maxTotalBytes == 0 ? Long.MAX_VALUE : maxTotalBytes);
        StreamStore store = switch (storage) {
            case memory -> new StreamEngine(new MemoryLog(), storageLimits);
            case rocksdb -> new StreamEngine(RocksLog.open(dataDir, durability == Durability.sync), storageLimits);
        };
        LOG.info("storage: {}{}", storage, storage == Storage.rocksdb ? " at " + dataDir.toAbsolutePath()
                + " (durability " + durability + ")" : "");
        HttpServer server = new HttpServer(config, store);
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
