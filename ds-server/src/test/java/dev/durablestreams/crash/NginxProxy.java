package dev.durablestreams.crash;

import dev.durablestreams.Scripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The round-robin nginx of {@code scripts/proxy.sh} in front of server nodes: every request goes to the next node.
 * A node that is down makes the request it was given fail with 502 (nginx does not pass a POST on to another node),
 * so a client sees every failure.
 */
final class NginxProxy implements AutoCloseable {
    private final Path dir;
    private final String base;

    private NginxProxy(Path dir, String base) {
        this.dir = dir;
        this.base = base;
    }

    /** Starts nginx (its configuration, pid and logs in {@code dir}) over the nodes on these loopback ports. */
    static NginxProxy start(Path dir, int... ports) {
        List<String> args = new ArrayList<>(List.of("start", dir.toString()));
        for (int port : ports) args.add("127.0.0.1:" + port);
        String url = Scripts.lastLine(Scripts.run("proxy.sh", 600, args.toArray(String[]::new)));
        if (!url.startsWith("http://")) throw new IllegalStateException("proxy.sh start printed: " + url);
        return new NginxProxy(dir, url);
    }

    /** The stream base URL through the proxy. */
    String base() {
        return base + "/v1/stream/";
    }

    @Override
    public void close() {
        Scripts.run("proxy.sh", 60, "stop", dir.toString());
    }
}
