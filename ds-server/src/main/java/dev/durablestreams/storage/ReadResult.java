package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One bounded chunk of a stream.
 *
 * @param incarnation an id unique to this life of the stream (a re-created path gets a new one)
 * @param start the offset the read started at
 * @param chunks stored bytes; for JSON streams whole stored messages, each followed by a comma
 * @param next the offset after the returned data
 * @param upToDate the chunk reaches the tail
 * @param closed the stream is closed and the chunk reaches its final offset
 * @param nextCommit the stream's commit signal, taken before the tail was read
 */
public record ReadResult(
        long incarnation, String contentType, boolean json, Offset start, List<ByteBuffer> chunks, Offset next,
        boolean upToDate, boolean closed, CommitSignal nextCommit) {

    public boolean isEmpty() {
        return chunks.isEmpty();
    }

    public int byteCount() {
        int n = 0;
        for (ByteBuffer b : chunks) n += b.remaining();
        return n;
    }
}
