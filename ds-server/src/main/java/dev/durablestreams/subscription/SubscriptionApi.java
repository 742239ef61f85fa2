package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes under {@code {stream-root}/__ds/}, independent of the transport: the HTTP layer hands over the
 * method, the path below {@code __ds/}, the bearer token and the body, and writes back the {@link Response}.
 * Unknown routes are 404 {@code SUBSCRIPTION_NOT_FOUND}; a known route with another method is 405.
 */
public final class SubscriptionApi implements SubscriptionService {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:~-]{1,200}");

    /** An answer: status, content type, body (empty for 204) and extra headers. */
    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {}

    private final SubscriptionManager manager;

    public SubscriptionApi(SubscriptionManager manager) {
        this.manager = manager;
    }

    /**
     * @param route the decoded path below {@code __ds/}, e.g. {@code subscriptions/s1/streams/events/a}
     * @param authorization the {@code Authorization} header, or null
     * @param streamRoot the absolute stream root URL the client used, e.g. {@code http://host:4437/v1/stream/}
     */
    public CompletableFuture<Response> handle(String method, String route, String authorization, byte[] body,
                                              String streamRoot) {
        return handle(method, route, authorization, body, streamRoot, stream -> true);
    }

    /**
     * As {@link #handle(String, String, String, byte[], String)}, for a caller who may read only the stream paths
     * {@code readable} accepts: a pull-wake claim needs to read the subscription's wake stream (403 otherwise).
     */
    public CompletableFuture<Response> handle(String method, String route, String authorization, byte[] body,
                                              String streamRoot, Predicate<String> readable) {
        try {
            return dispatch(method, route, authorization, body, streamRoot, readable)
                    .thenApply(this::json)
                    .exceptionally(SubscriptionApi::error);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e));
        }
    }

    @Override
    public CompletableFuture<Response> handle(Request r) {
        return handle(r.method(), r.route(), r.authorization(), r.body(), r.streamRoot(), r.readable());
    }

    private CompletableFuture<SubscriptionManager.Reply> dispatch(String method, String route, String auth,
                                                                  byte[] body, String root, Predicate<String> readable) {
        if (route.equals("jwks.json")) {
            allow(method, "GET");
            return CompletableFuture.completedFuture(null);
        }
        if (!route.startsWith("subscriptions/")) throw SubscriptionError.notFound();
        String rest = route.substring("subscriptions/".length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (!ID.matcher(id).matches()) throw SubscriptionError.notFound();
        switch (action) {
            case "" -> {
                allow(method, "GET", "PUT", "DELETE");
                return switch (method) {
                    case "GET" -> manager.get(id);
                    case "PUT" -> manager.put(id, parse(body), root);
                    default -> manager.delete(id);
                };
            }
            case "streams" -> {
                allow(method, "POST");
                return manager.addStreams(id, parse(body));
            }
            case "claim" -> {
                allow(method, "POST");
                return manager.claim(id, parse(body), readable);
            }
            case "ack", "callback" -> {
                allow(method, "POST");
                return manager.ack(id, bearer(auth), parse(body));
            }
            case "release" -> {
                allow(method, "POST");
                return manager.release(id, bearer(auth), parse(body));
            }
            default -> {
                if (action.startsWith("streams/") && action.length() > "streams/".length()) {
                    allow(method, "DELETE");
                    return manager.removeStream(id, action.substring("streams/".length()));
                }
                throw SubscriptionError.notFound();
            }
        }
    }

    private Response json(SubscriptionManager.Reply r) {
        if (r == null) { // the JWKS
            return new Response(200, "application/jwk-set+json", manager.jwks(),
                    Map.of("Cache-Control", "public, max-age=300"));
        }
        byte[] b = r.body() == null ? new byte[0] : r.body().toString().getBytes(StandardCharsets.UTF_8);
        return new Response(r.status(), r.body() == null ? null : "application/json", b,
                Map.of("Cache-Control", "no-store"));
    }

    private static void allow(String method, String... methods) {
        for (String m : methods) if (m.equals(method)) return;
        throw new SubscriptionError(405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed here",
                Map.of("allow", String.join(", ", methods)));
    }

    private static String bearer(String auth) {
        if (auth == null) return null;
        String a = auth.trim();
        return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : null;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw SubscriptionError.invalid("body is not valid JSON");
        }
    }

    static Response error(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        SubscriptionError e;
        if (t instanceof SubscriptionError se) e = se;
        else {
            LOG.error("subscription request failed", t);
            e = new SubscriptionError(500, "INTERNAL_ERROR", "internal error");
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("code", e.code()).put("message", e.getMessage());
        e.extra().forEach((k, v) -> {
            if (k.equals("allow")) return;
            err.set(k, JSON.valueToTree(v));
        });
        Map<String, String> headers = e.extra().containsKey("allow")
                ? Map.of("Allow", (String) e.extra().get("allow"), "Cache-Control", "no-store")
                : Map.of("Cache-Control", "no-store");
        return new Response(e.status(), "application/json", root.toString().getBytes(StandardCharsets.UTF_8), headers);
    }
}
