package dev.durablestreams.subscription;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * SSRF rules for webhook targets (protocol 12.8): {@code https} only, except {@code http://localhost} and
 * {@code http://127.0.0.x} for development; loopback, private (RFC 1918), link-local (including cloud metadata
 * endpoints), unspecified, multicast, IPv6 unique-local and site-local targets are refused unless covered by that
 * exception or listed in the allowed hosts. The same check runs on the resolved addresses at every delivery, so a
 * name that later resolves to an internal address (DNS rebinding) is refused then.
 */
public final class WebhookUrlPolicy {
    /** Resolves host names; replaceable in tests. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> allowedHosts;
    private final Resolver resolver;

    public WebhookUrlPolicy(Set<String> allowedHosts, Resolver resolver) {
        this.allowedHosts = allowedHosts;
        this.resolver = resolver;
    }

    public static WebhookUrlPolicy standard(Set<String> allowedHosts) {
        return new WebhookUrlPolicy(allowedHosts, InetAddress::getAllByName);
    }

    /** Checks the URL's shape and literal host when a subscription is created; 400 WEBHOOK_URL_REJECTED. */
    public URI validate(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw rejected("webhook url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty() || uri.getRawUserInfo() != null) throw rejected("webhook url needs a host");
        if (!scheme.equals("https") && !scheme.equals("http")) throw rejected("webhook url must use https");
        String h = bare(host);
        if (allowed(h)) return uri;
        boolean devHost = isDevelopmentHost(h);
        if (scheme.equals("http") && !devHost) throw rejected("webhook url must use https (http only for localhost)");
        if (devHost) return uri;
        if (isIpLiteral(h)) {
            try {
                checkAddress(InetAddress.getByName(h));
            } catch (UnknownHostException e) {
                throw rejected("webhook url host is not a valid address");
            }
        }
        return uri;
    }

    /** Resolves the target at delivery time and refuses internal addresses (DNS rebinding). */
    public void checkResolved(URI uri) {
        String h = bare(uri.getHost());
        if (allowed(h) || isDevelopmentHost(h)) return;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(h);
        } catch (UnknownHostException e) {
            throw rejected("webhook host does not resolve");
        }
        for (InetAddress a : addresses) checkAddress(a);
    }

    private boolean allowed(String host) {
        return allowedHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** {@code localhost} and {@code 127.0.0.x}: the development exception. */
    static boolean isDevelopmentHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127\\.0\\.0\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    }

    private static boolean isIpLiteral(String h) {
        return h.contains(":") || h.matches("[0-9.]+");
    }

    private static void checkAddress(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            throw rejected("webhook url targets a local or private network address");
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) throw rejected("webhook url targets an IPv6 unique-local address");
        } else if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            // 100.64/10 carrier-grade NAT and 0/8 are internal too.
            if (b0 == 0 || (b0 == 100 && b1 >= 64 && b1 < 128)) throw rejected("webhook url targets an internal address");
        }
    }

    static SubscriptionError rejected(String message) {
        return new SubscriptionError(400, "WEBHOOK_URL_REJECTED", message);
    }
}
