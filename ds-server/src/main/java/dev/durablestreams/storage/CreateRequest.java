package dev.durablestreams.storage;

import java.time.Instant;

/**
 * A PUT: create a stream, optionally closed, optionally with initial data, optionally as a fork.
 *
 * @param contentType as sent, or {@code null} when absent (octet-stream, or the source's type for a fork)
 * @param body initial data, possibly empty
 */
public record CreateRequest(
        String path, String contentType, Long ttlSeconds, Instant expiresAt, boolean closed, byte[] body,
        ForkSpec fork) {}
