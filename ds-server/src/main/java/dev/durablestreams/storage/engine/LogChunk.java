package dev.durablestreams.storage.engine;

import java.nio.ByteBuffer;
import java.util.List;

/** Bytes read from a log, and the offset just after them. */
public record LogChunk(List<ByteBuffer> buffers, long end, int bytes) {}
