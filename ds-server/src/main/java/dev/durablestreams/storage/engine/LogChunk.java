package dev.durablestreams.storage.engine;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Bytes read from a log, and the offset just after them.
 *
 * @param startsInsideRecord the read started inside a stored record, not at its first byte
 */
public record LogChunk(List<ByteBuffer> buffers, long end, int bytes, boolean startsInsideRecord) {}
