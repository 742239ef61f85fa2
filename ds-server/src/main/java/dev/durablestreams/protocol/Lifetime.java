package dev.durablestreams.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parsing of the two ways a stream ends by itself: {@code Stream-TTL} (a sliding idle window in seconds)
 * and {@code Stream-Expires-At} (an absolute RFC 3339 instant).
 */
public final class Lifetime {
    /** About 100 years; keeps expiry arithmetic far from overflow. */
    static final long MAX_TTL_SECONDS = 100L * 365 * 24 * 3600;

    private Lifetime() {}

    /**
     * Parses {@code Stream-TTL}. The grammar is {@code 0|[1-9][0-9]*}; 0 matches it but would describe a stream
     * that is gone before anyone can use it, so it is rejected like any other unusable value.
     *
     * @return the TTL in seconds, or {@code null} when the header is absent
     */
    public static Long parseTtl(String value) {
        if (value == null) return null;
        if (value.isEmpty() || value.length() > 12) throw ProtocolException.badRequest("Stream-TTL must be a positive integer");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') throw ProtocolException.badRequest("Stream-TTL must be a positive integer");
        }
        if (value.charAt(0) == '0') {
            throw ProtocolException.badRequest(value.length() == 1
                    ? "Stream-TTL must be at least 1 second" : "Stream-TTL must not have leading zeros");
        }
        long ttl = Long.parseLong(value);
        if (ttl > MAX_TTL_SECONDS) throw ProtocolException.badRequest("Stream-TTL is too large");
        return ttl;
    }

    /**
     * Parses {@code Stream-Expires-At} as an RFC 3339 timestamp ({@code ...Z} or with a numeric offset).
     *
     * @return the instant, or {@code null} when the header is absent
     */
    public static Instant parseExpiresAt(String value) {
        if (value == null) return null;
        String v = value.trim();
        // RFC 3339 years have four digits; a signed, longer year would overflow expiry arithmetic.
        if (v.isEmpty() || v.charAt(0) < '0' || v.charAt(0) > '9') {
            throw ProtocolException.badRequest("Stream-Expires-At must be an RFC 3339 timestamp");
        }
        try {
            return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw ProtocolException.badRequest("Stream-Expires-At must be an RFC 3339 timestamp");
        }
    }
}
