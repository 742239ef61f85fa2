package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;
import java.time.Instant;

/** Metadata of a stream as HEAD and PUT report it. */
public record StreamInfo(
        String path, String contentType, Offset tail, boolean closed, Long ttlSeconds, Instant expiresAt) {}
