package dev.durablestreams.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.auth.AuthConfigs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a client is, by address: the peer's address, or, when the peer is a trusted proxy, the nearest address in
 * {@code X-Forwarded-For} that is not itself a trusted proxy (read right to left, since a client can put anything
 * on the left of that header).
 */
public final class ClientAddresses {
    /** Trusts no proxy: the peer address is the client. */
    public static final ClientAddresses DIRECT = new ClientAddresses(List.of());

    private record Cidr(byte[] network, int bits) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) if (b[i] != network[i]) return false;
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> trusted;

    private ClientAddresses(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** From {@code limits.trusted-proxies}: CIDRs ({@code 10.0.0.0/8}, {@code ::1/128}) or single addresses. */
    public static ClientAddresses fromConfig(JsonNode trustedProxies) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String s : AuthConfigs.strings(trustedProxies, "limits.trusted-proxies")) cidrs.add(parse(s.trim()));
        return cidrs.isEmpty() ? DIRECT : new ClientAddresses(cidrs);
    }

    private static Cidr parse(String s) {
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (!isLiteral(host)) throw new IllegalArgumentException("limits.trusted-proxies: not an address: " + s);
        try {
            byte[] net = InetAddress.getByName(host).getAddress();
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (bits < 0 || bits > net.length * 8) throw new IllegalArgumentException("limits.trusted-proxies: bad prefix length: " + s);
            return new Cidr(net, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("limits.trusted-proxies: not a CIDR: " + s);
        }
    }

    /** Only numeric addresses: a host name would make parsing do a DNS lookup. */
    private static boolean isLiteral(String host) {
        return !host.isEmpty() && (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }

    /** The client's address as text. */
    public String resolve(InetAddress peer, String forwardedFor) {
        if (forwardedFor == null || !isTrusted(peer)) return peer.getHostAddress();
        String[] hops = forwardedFor.split(",");
        String client = peer.getHostAddress();
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!isLiteral(hop)) break; // garbage (or an obfuscated hop): stop at the last address we could check
            InetAddress a;
            try {
                a = InetAddress.getByName(hop);
            } catch (UnknownHostException e) {
                break;
            }
            client = a.getHostAddress();
            if (!isTrusted(a)) break;
        }
        return client;
    }

    private boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) if (c.contains(a)) return true;
        return false;
    }
}
