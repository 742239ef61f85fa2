package dev.durablestreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.BuildInfo;
import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.cli.config.ConfigException;
import dev.durablestreams.cli.config.ConfigFile;
import dev.durablestreams.cli.config.EffectiveConfig;
import dev.durablestreams.cli.config.Setting;
import dev.durablestreams.cli.config.Settings;
import dev.durablestreams.http.AccessControl;
import dev.durablestreams.http.CorsPolicy;
import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.SubscriptionForwarder;
import dev.durablestreams.http.SubscriptionRouter;
import dev.durablestreams.http.Limits;
import dev.durablestreams.limits.ClientAddresses;
import dev.durablestreams.limits.RateLimiter;
import dev.durablestreams.http.ServerConfig;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.http.tls.TlsOptions;
import dev.durablestreams.storage.NotifyingStore;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.rocksdb.RocksSubscriptionStore;
import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import dev.durablestreams.subscription.SigningKeys;
import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionLeader;
import dev.durablestreams.subscription.SubscriptionManager;
import dev.durablestreams.subscription.WebhookSender;
import dev.durablestreams.subscription.WebhookUrlPolicy;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import dev.durablestreams.storage.postgres.PgConfig;
import dev.durablestreams.storage.postgres.PostgresStore;
import dev.durablestreams.storage.postgres.PgLeaderLock;
import dev.durablestreams.storage.rocksdb.RocksLog;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.security.KeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code ds-server} command. Every flag can also be set by its environment variable ({@code --max-body} →
 * {@code DS_MAX_BODY}) and by its key in the {@code --config} file ({@code max-body: 64MiB}); see {@link Settings}.
 * A new {@code @Option} needs nothing more to be settable all three ways.
 */
@Command(name = "ds-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Durable Streams protocol server.",
        footer = {"", "Every flag can also be set by its environment variable (DS_ and the flag's name in upper case, "
                + "e.g. DS_MAX_BODY) or by its key in the --config file (e.g. max-body: 64MiB). "
                + "Precedence: flag > environment > file > built-in default."},
        sortOptions = false)
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /**
     * Nested sections the configuration file may hold, each handed whole (a Jackson tree, {@link ConfigFile#section})
     * to the component that owns it, e.g. {@code auth}. Every other key is a flag.
     */
    static final List<String> CONFIG_SECTIONS = List.of("auth", "limits", "cors");

    @Spec
    CommandSpec spec;

    /** Set by {@link #run}: the source of every value that was not a flag. */
    private Settings settings;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file: one key per flag, e.g. port: 4437 (env DS_CONFIG).")
    @Setting(file = false)
    Path configFile;

    @Option(names = "--print-config",
            description = "Print the effective configuration (secrets masked), each value with its source, and exit.")
    @Setting(env = false, file = false)
    boolean printConfig;

    /** How appends reach the disk before they are acknowledged (rocksdb only). */
    enum Durability { sync, async }

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (env DS_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "4437",
            description = "Port to listen on, 0 for any free port (env DS_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--storage", defaultValue = "rocksdb", converter = StorageChoice.Converter.class,
            description = "Storage backend: rocksdb, memory, or a PostgreSQL URL postgresql://user:pass@host:5432/db "
                    + "shared by any number of nodes (env DS_STORAGE; default ${DEFAULT-VALUE}).")
    StorageChoice storage;

    @Option(names = "--pg-schema", defaultValue = PgConfig.DEFAULT_SCHEMA,
            description = "PostgreSQL schema of the tables, created and migrated at start (env DS_PG_SCHEMA; "
                    + "default ${DEFAULT-VALUE}).")
    String pgSchema;

    @Option(names = "--pg-pool-size", defaultValue = "16",
            description = "PostgreSQL connections per node, and threads running statements on them "
                    + "(env DS_PG_POOL_SIZE; default ${DEFAULT-VALUE}).")
    int pgPoolSize;

    /** The value of {@code --advertise-url} that derives the URL from the bind address and port. */
    static final String ADVERTISE_AUTO = "auto";

    @Option(names = "--advertise-url", defaultValue = ADVERTISE_AUTO, paramLabel = "URL",
            description = "How the other nodes on the same PostgreSQL database reach this one when it runs "
                    + "subscriptions (they forward subscription requests to it), e.g. http://10.0.0.5:4437; "
                    + "'auto': http(s)://<--host>:<bound port>, this host's address when --host is a wildcard "
                    + "(env DS_ADVERTISE_URL; default ${DEFAULT-VALUE}).")
    String advertiseUrl;

    @Option(names = "--data-dir", defaultValue = "./data",
            description = "Directory of the rocksdb backend (env DS_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--durability", defaultValue = "sync",
            description = "sync: acknowledge appends after the write-ahead log is synced (group commit); "
                    + "async: after it is written, before the sync (env DS_DURABILITY; default ${DEFAULT-VALUE}).")
    Durability durability;

    @Option(names = "--long-poll-timeout", defaultValue = "30s",
            converter = Units.DurationConverter.class,
            description = "How long a long-poll waits for data before 204 (env DS_LONG_POLL_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration longPollTimeout;

    @Option(names = "--sse-max-duration", defaultValue = "60s",
            converter = Units.DurationConverter.class,
            description = "SSE responses end after this long; clients reconnect (env DS_SSE_MAX_DURATION; default ${DEFAULT-VALUE}).")
    Duration sseMaxDuration;

    @Option(names = "--sse-keepalive", defaultValue = "15s",
            converter = Units.DurationConverter.class,
            description = "Idle SSE responses get a keep-alive control event this often (env DS_SSE_KEEPALIVE; default ${DEFAULT-VALUE}).")
    Duration sseKeepAlive;

    @Option(names = "--max-body", defaultValue = "64MiB", converter = Units.SizeConverter.class,
            description = "Largest request body; larger ones get 413 (env DS_MAX_BODY; default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--max-read", defaultValue = "4MiB", converter = Units.SizeConverter.class,
            description = "Largest response chunk of a read (env DS_MAX_READ; default ${DEFAULT-VALUE}).")
    long maxRead;

    @Option(names = "--max-stream-bytes", defaultValue = "0",
            converter = Units.SizeConverter.class,
            description = "Bytes one stream may hold, 0 = unlimited; beyond it appends get 413 (env DS_MAX_STREAM_BYTES).")
    long maxStreamBytes;

    @Option(names = "--max-total-bytes", defaultValue = "0",
            converter = Units.SizeConverter.class,
            description = "Bytes all streams may hold, 0 = unlimited; beyond it appends get 507 (env DS_MAX_TOTAL_BYTES).")
    long maxTotalBytes;

    @Option(names = "--max-fork-depth", defaultValue = "100",
            description = "How many forks deep a chain may go; a fork beyond it gets 400 (env DS_MAX_FORK_DEPTH; default ${DEFAULT-VALUE}).")
    int maxForkDepth;

    @Option(names = "--max-connections", defaultValue = "0",
            description = "Connections open at once; more are closed when accepted. 0 = the process's file-descriptor "
                    + "limit minus headroom (env DS_MAX_CONNECTIONS; default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--header-timeout", defaultValue = "20s", converter = Units.DurationConverter.class,
            description = "Time to receive a request head once it starts; then 408 and close, 0 = none "
                    + "(env DS_HEADER_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--body-timeout", defaultValue = "30s", converter = Units.DurationConverter.class,
            description = "Longest pause within a request body; then 408 and close, 0 = none "
                    + "(env DS_BODY_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--idle-timeout", defaultValue = "60s", converter = Units.DurationConverter.class,
            description = "Keep-alive connections with no request and no open response are closed after this, 0 = "
                    + "never (env DS_IDLE_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--sse-chunk", defaultValue = "256KiB", converter = Units.SizeConverter.class,
            description = "Largest chunk of one SSE data event; --max-read if smaller (env DS_SSE_CHUNK; default ${DEFAULT-VALUE}).")
    long sseChunk;

    @Option(names = "--max-pending-output", defaultValue = "256MiB", converter = Units.SizeConverter.class,
            description = "Response bytes all connections may hold unsent; past it the slowest readers are closed, "
                    + "0 = unlimited (env DS_MAX_PENDING_OUTPUT; default ${DEFAULT-VALUE}).")
    long maxPendingOutput;

    @Option(names = "--max-inflight-body", defaultValue = "0", converter = Units.SizeConverter.class,
            description = "Request body bytes all requests in progress may hold; past it requests get 503. "
                    + "0 = a quarter of the heap, at most 512MiB, at least --max-body (env DS_MAX_INFLIGHT_BODY).")
    long maxInflightBody;
    @Option(names = "--webhook-signing-key", defaultValue = "generate", paramLabel = "FILE",
            description = "Ed25519 private key (PKCS#8 PEM file) that signs webhooks; 'generate': a key is generated "
                    + "once and stored with the data (env DS_WEBHOOK_SIGNING_KEY; default ${DEFAULT-VALUE}).")
    String webhookSigningKey;

    @Option(names = "--webhook-allow-hosts", defaultValue = "none", paramLabel = "HOSTS",
            description = "Comma-separated webhook hosts exempt from the private-network (SSRF) checks, or 'none' "
                    + "(env DS_WEBHOOK_ALLOW_HOSTS; default ${DEFAULT-VALUE}).")
    String webhookAllowHosts;

    @Option(names = "--admin-port", defaultValue = "-1",
            description = "Serve /healthz, /readyz and /metrics on this port instead of the main one, 0 for any free "
                    + "port, -1 to serve them on the main port (env DS_ADMIN_PORT; default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--access-log", defaultValue = "false", arity = "0..1",
            description = "Log one line per request to the 'access' logger (env DS_ACCESS_LOG; default ${DEFAULT-VALUE}).")
    boolean accessLog;

    @Option(names = "--log-format", defaultValue = "text",
            description = "Log lines as ${COMPLETION-CANDIDATES} (env DS_LOG_FORMAT; default ${DEFAULT-VALUE}).")
    LogSetup.Format logFormat;

    @Option(names = "--shutdown-grace", defaultValue = "10s",
            converter = Units.DurationConverter.class,
            description = "On SIGTERM or Ctrl-C, how long requests in flight may take to finish before connections "
                    + "are closed (env DS_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    /** The value of {@code --tls-cert} and {@code --tls-key} that means cleartext. */
    static final String NO_TLS = "none";

    @Option(names = "--tls-cert", defaultValue = NO_TLS, paramLabel = "FILE",
            description = "PEM certificate (optionally followed by its chain); with --tls-key the port serves HTTPS, "
                    + "HTTP/2 and HTTP/1.1 by ALPN (env DS_TLS_CERT; default ${DEFAULT-VALUE}: cleartext).")
    String tlsCert;

    @Option(names = "--tls-key", defaultValue = NO_TLS, paramLabel = "FILE",
            description = "PEM PKCS#8 private key (RSA or EC) of --tls-cert (env DS_TLS_KEY; default ${DEFAULT-VALUE}).")
    String tlsKey;

    @Option(names = "--tls-reload-interval", defaultValue = "10s",
            converter = Units.DurationConverter.class,
            description = "How often the certificate and key files are checked for changes, 0 = never; SIGHUP "
                    + "also reloads them (env DS_TLS_RELOAD_INTERVAL; default ${DEFAULT-VALUE}).")
    Duration tlsReloadInterval;

    @Override
    public Integer call() throws Exception {
        LogSetup.apply(logFormat, accessLog); // before the first log line
        if (adminPort < -1 || adminPort > 65535) throw invalid("--admin-port", "must be -1 (none) or 0 to 65535");
        if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 8) throw invalid("--max-body", "must be between 1 byte and 2GiB");
        if (maxRead < 1024 || maxRead > 256L << 20) throw invalid("--max-read", "must be between 1KiB and 256MiB");
        if (maxForkDepth < 0) throw invalid("--max-fork-depth", "must not be negative");
        if (pgPoolSize < 1) throw invalid("--pg-pool-size", "must be at least 1");
        if (!pgSchema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) throw invalid("--pg-schema", "must be a plain SQL identifier");
        if (!advertiseUrl.equals(ADVERTISE_AUTO) && !isHttpUrl(advertiseUrl)) {
            throw invalid("--advertise-url", "must be auto or an http:// or https:// URL with a host");
        }
        if (maxConnections < 0) throw invalid("--max-connections", "must be 0 (derived) or more");
        if (sseChunk < 1024 || sseChunk > 256L << 20) throw invalid("--sse-chunk", "must be between 1KiB and 256MiB");
        if (maxPendingOutput < 0) throw invalid("--max-pending-output", "must be 0 (unlimited) or more");
        if (maxInflightBody != 0 && maxInflightBody < maxBody) {
            throw invalid("--max-inflight-body", "must be at least --max-body (or 0 for the default)");
        }
        if (printConfig) {
            spec.commandLine().getOut().print(EffectiveConfig.render(spec, spec.commandLine().getParseResult(), settings,
                    CONFIG_SECTIONS, "ds-server " + BuildInfo.current().describe()));
            spec.commandLine().getOut().flush();
            return 0;
        }
        LOG.info("ds-server {} starting (Java {})", BuildInfo.current().describe(), Runtime.version());
        Limits connectionLimits = new Limits(maxConnections == 0 ? Limits.defaultMaxConnections() : maxConnections,
                headerTimeout, bodyTimeout, idleTimeout, (int) sseChunk, maxPendingOutput,
                maxInflightBody == 0 ? Limits.defaultMaxInflightBody((int) maxBody) : maxInflightBody);
        LOG.info("limits: {} connections, pending output {} bytes, in-flight bodies {} bytes, timeouts: header {}, "
                + "body {}, idle {}", connectionLimits.maxConnections() == 0 ? "unlimited"
                : connectionLimits.maxConnections(), connectionLimits.maxPendingOutput(),
                connectionLimits.maxInflightBody(), headerTimeout, bodyTimeout, idleTimeout);
        boolean withTls = !NO_TLS.equals(tlsCert);
        if (withTls == NO_TLS.equals(tlsKey)) throw new CommandLine.ParameterException(
                spec.commandLine(), "--tls-cert and --tls-key go together");
        // Loaded before storage opens: a bad certificate fails the start without touching data.
        ReloadingSslContext tls = null;
        if (withTls) {
            try {
                tls = new ReloadingSslContext(new TlsOptions(Path.of(tlsCert), Path.of(tlsKey), tlsReloadInterval));
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "cannot use --tls-cert " + tlsCert + " --tls-key " + tlsKey + ": " + e);
            }
        }
        ServerConfig config = new ServerConfig(host, port, (int) maxBody, (int) maxRead, longPollTimeout,
                sseMaxDuration, sseKeepAlive, connectionLimits);
        AccessControl access; // before storage opens: a bad section fails fast
        try {
            access = accessControl(settings.file());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("config error: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        EngineOptions limits = new EngineOptions(maxStreamBytes == 0 ? Long.MAX_VALUE : maxStreamBytes,
                maxTotalBytes == 0 ? Long.MAX_VALUE : maxTotalBytes, maxForkDepth);
        ServerMetrics metrics = ServerMetrics.withProcessMeters();
        StreamStore engine = switch (storage.backend()) {
            case "memory" -> new StreamEngine(new MemoryLog(), limits);
            case "postgresql" -> {
                PostgresStore pg = PostgresStore.open(new PgConfig(storage.url(), pgSchema, pgPoolSize), limits);
                pg.observe(metrics.commitObserver());
                yield pg;
            }
            default -> {
                RocksLog log = RocksLog.open(dataDir, durability == Durability.sync);
                log.observe(metrics.commitObserver());
                yield new StreamEngine(log, limits);
            }
        };
        // On PostgreSQL ds.streams counts the streams of the whole database (every node's), recounted every few seconds.
        metrics.bindStorage(engine instanceof StreamEngine e ? e::streamCount
                : engine instanceof PostgresStore p ? p::streamCount : () -> -1, engine.health());
        Set<String> allowHosts = new HashSet<>();
        if (!webhookAllowHosts.equals("none")) {
            for (String h : webhookAllowHosts.split(",")) if (!h.isBlank()) allowHosts.add(h.trim().toLowerCase(Locale.ROOT));
        }
        WebhookUrlPolicy urls = WebhookUrlPolicy.standard(allowHosts);
        KeyPair signingKey = webhookSigningKey.equals("generate") ? null : SigningKeys.readPem(Path.of(webhookSigningKey));
        Function<SubscriptionStore, SubscriptionManager> managers = subs -> new SubscriptionManager(engine, subs, urls,
                new WebhookSender(urls, Duration.ofSeconds(5), Duration.ofSeconds(30), 8, 256),
                System::currentTimeMillis, Math::random);
        LOG.info("storage: {}{}", storage, storage.backend().equals("rocksdb") ? " at " + dataDir.toAbsolutePath()
                + " (durability " + durability + ")" : "");
        // After the drain: subscriptions stop before the storage they read from closes; then the JWKS refresher.
        AutoCloseable auth = access.auth() != null ? access.auth() : () -> { };
        HttpServer server;
        Shutdown shutdown;
        SubscriptionLeader leader = null;
        if (engine instanceof PostgresStore pg) {
            // Nodes share one database: one of them (the leader) runs subscriptions, fed every node's changes.
            leader = new SubscriptionLeader(new PgLeaderLock(new PgConfig(storage.url(), pgSchema, pgPoolSize),
                    System::currentTimeMillis), managers, signingKey, LEADER_POLL_MILLIS);
            pg.watch(leader, leader::resync);
            metrics.bindSubscriptionLeader(leader::leading);
            server = new HttpServer(config, engine, new SubscriptionRouter(leader,
                    new SubscriptionForwarder(Duration.ofSeconds(30))), metrics, adminPort, access, tls);
            shutdown = new Shutdown(server, shutdownGrace, leader, engine, auth);
        } else {
            SubscriptionStore subscriptionStore = storage.backend().equals("rocksdb")
                    ? RocksSubscriptionStore.open(dataDir.resolve("subscriptions")) : new MemorySubscriptionStore();
            SubscriptionManager subscriptions = managers.apply(subscriptionStore);
            subscriptions.start(signingKey);
            StreamStore store = new NotifyingStore(engine, subscriptions);
            server = new HttpServer(config, store, new SubscriptionApi(subscriptions), metrics, adminPort, access, tls);
            shutdown = new Shutdown(server, shutdownGrace, subscriptions, subscriptionStore, store, auth);
        }
        shutdown.install();
        int boundPort = server.start();
        if (leader != null) {
            String url = advertised(boundPort, tls != null);
            LOG.info("subscriptions: competing for the lead; other nodes reach this one at {}", url);
            leader.start(url);
        }
        shutdown.awaitRequest();
        shutdown.run();
        return 0;
    }

    /** How often a node tries the subscription leader lock (the longest a takeover waits once it is free). */
    static final long LEADER_POLL_MILLIS = 500;

    /**
     * An address other hosts can reach this one at, for a wildcard {@code --host}: the first IPv4 address of an
     * interface that is up and not loopback (the host name may resolve to a loopback address such as 127.0.1.1).
     */
    private static String reachableAddress() throws java.io.IOException {
        for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        return InetAddress.getLocalHost().getHostAddress();
    }

    private static boolean isHttpUrl(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                    && u.getRawQuery() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The URL other nodes reach this one at: {@code --advertise-url}, or derived from the bind address. */
    String advertised(int boundPort, boolean https) {
        if (!advertiseUrl.equals(ADVERTISE_AUTO)) return advertiseUrl;
        String h = host;
        try {
            if (InetAddress.getByName(host).isAnyLocalAddress()) h = reachableAddress();
        } catch (java.io.IOException e) {
            LOG.warn("cannot resolve --host {} for the advertised URL: {}", host, e.getMessage());
        }
        if (h.contains(":") && !h.startsWith("[")) h = "[" + h + "]";
        return (https ? "https" : "http") + "://" + h + ":" + boundPort;
    }

    /**
     * Builds authentication, rate limits and CORS from the file's {@code auth:}, {@code limits:} and {@code cors:}
     * sections; logs what is configured (never a secret), or one warning when the server is open.
     */
    static AccessControl accessControl(ConfigFile file) {
        AccessControl access;
        try {
            JsonNode limits = file.section("limits");
            access = new AccessControl(AuthPolicy.fromConfig(file.section("auth")),
                    RateLimiter.fromConfig(limits.get("rate-limit")),
                    ClientAddresses.fromConfig(limits.get("trusted-proxies")), CorsPolicy.fromConfig(file.section("cors")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.name() + ": " + e.getMessage());
        }
        if (access.auth() != null) LOG.info("auth: {}", access.auth().describe());
        if (access.rateLimit() != null) LOG.info("rate limit: {}", access.rateLimit().describe());
        if (!access.cors().allowsAny()) LOG.info("cors: browsers may read responses only from the listed origins");
        if (access.auth() == null) {
            LOG.warn("no auth: section configured: the server is open, anyone who can reach it may read, write and "
                    + "delete every stream");
        }
        return access;
    }

    /** A bad value found after parsing, attributed to its option so a file or variable value is named as such. */
    private CommandLine.ParameterException invalid(String option, String problem) {
        CommandLine.Model.OptionSpec o = spec.findOption(option);
        String text = settings.resolved(o, spec.commandLine().getParseResult()).text();
        return new CommandLine.ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': '" + text + "' " + problem, o, text);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err));
    }

    /**
     * Runs the command: reads the configuration file named by {@code --config} or {@code DS_CONFIG}, then parses
     * {@code args} with the environment and file as defaults. A bad file or value from it is one line on
     * {@code err} and exit status 2, never a stack trace.
     */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cmd = new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true).setOut(out).setErr(err);
        try {
            Path file = configPath(args, env);
            ConfigFile config = file == null ? ConfigFile.NONE : ConfigFile.load(file);
            config.check(Settings.fileKeys(cmd.getCommandSpec()), Set.copyOf(CONFIG_SECTIONS));
            main.settings = new Settings(env, config);
        } catch (ConfigException e) {
            err.println("config error: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        Settings settings = main.settings;
        cmd.setDefaultValueProvider(settings);
        CommandLine.IParameterExceptionHandler usage = cmd.getParameterExceptionHandler();
        cmd.setParameterExceptionHandler((ex, a) -> {
            settings.showBuiltInDefaults();
            var configError = settings.configError(ex);
            if (configError.isEmpty()) return usage.handleParseException(ex, a);
            err.println("config error: " + configError.get());
            return CommandLine.ExitCode.USAGE;
        });
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cmd.setExecutionStrategy(parsed -> {
            settings.showBuiltInDefaults();
            return runLast.execute(parsed);
        });
        return cmd.execute(args);
    }

    /**
     * The configuration file: {@code --config FILE} or {@code --config=FILE} on the command line, else
     * {@code DS_CONFIG}. Found before the full parse because the file supplies that parse's defaults.
     */
    static Path configPath(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) return Path.of(args[i + 1]);
            if (args[i].startsWith("--config=")) return Path.of(args[i].substring("--config=".length()));
        }
        String fromEnv = env.get("DS_CONFIG");
        return fromEnv == null || fromEnv.isEmpty() ? null : Path.of(fromEnv);
    }

    /** {@code --version}: the Maven version and git commit this was built from. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ds-server " + BuildInfo.current().describe()};
        }
    }
}
