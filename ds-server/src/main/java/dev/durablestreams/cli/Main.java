package dev.durablestreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.http.AccessControl;
import dev.durablestreams.http.CorsPolicy;
import dev.durablestreams.http.HttpServer;
import dev.durablestreams.limits.ClientAddresses;
import dev.durablestreams.limits.RateLimiter;
import java.io.IOException;
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

    @Option(names = "--config", defaultValue = "${env:DS_CONFIG:-}",
            description = "YAML file with the auth:, limits: and cors: sections (env DS_CONFIG; default none).")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 8) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-body must be between 1 byte and 2GiB");
        if (maxRead < 1024 || maxRead > 256L << 20) throw new CommandLine.ParameterException(
                new CommandLine(this), "--max-read must be between 1KiB and 256MiB");
        ServerConfig config = new ServerConfig(host, port, (int) maxBody, (int) maxRead, longPollTimeout,
                sseMaxDuration, sseKeepAlive);
        AccessControl access = accessControl(loadSections(configFile)); // before storage opens: fail fast
        EngineOptions limits = new EngineOptions(maxStreamBytes == 0 ? Long.MAX_VALUE : maxStreamBytes,
                maxTotalBytes == 0 ? Long.MAX_VALUE : maxTotalBytes);
        StreamStore store = switch (storage) {
            case memory -> new StreamEngine(new MemoryLog(), limits);
            case rocksdb -> new StreamEngine(RocksLog.open(dataDir, durability == Durability.sync), limits);
        };
        LOG.info("storage: {}{}", storage, storage == Storage.rocksdb ? " at " + dataDir.toAbsolutePath()
                + " (durability " + durability + ")" : "");
        HttpServer server = new HttpServer(config, store, access);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
            if (access.auth() != null) access.auth().close();
        }, "ds-shutdown"));
        server.start();
        server.awaitClose();
        return 0;
    }

    /** The configuration file as a tree (an empty one without a file); sections are handed to their components. */
    static JsonNode loadSections(Path file) throws IOException {
        if (file == null || file.toString().isEmpty()) return MissingNode.getInstance();
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        return root == null ? MissingNode.getInstance() : root;
    }

    /** Builds authentication, rate limits and CORS from their sections; warns once when the server is open. */
    static AccessControl accessControl(JsonNode root) {
        try {
            JsonNode limits = root.path("limits");
            AccessControl access = new AccessControl(AuthPolicy.fromConfig(root.get("auth")),
                    RateLimiter.fromConfig(limits.get("rate-limit")), ClientAddresses.fromConfig(limits.get("trusted-proxies")),
                    CorsPolicy.fromConfig(root.get("cors")));
            if (access.auth() != null) LOG.info("auth: {}", access.auth().describe());
            if (access.rateLimit() != null) LOG.info("rate limit: {}", access.rateLimit().describe());
            if (!access.cors().allowsAny()) LOG.info("cors: browsers may read responses only from the listed origins");
            if (access.auth() == null) {
                LOG.warn("no auth: section configured: the server is open, anyone who can reach it may read, write "
                        + "and delete every stream");
            }
            return access;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()), "configuration: " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
