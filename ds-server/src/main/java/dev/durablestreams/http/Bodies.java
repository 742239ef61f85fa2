package dev.durablestreams.http;

import dev.durablestreams.storage.ReadResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;

/** Turns stored chunks into response bodies without copying them. */
final class Bodies {
    private static final ByteBuffer OPEN = ByteBuffer.wrap(new byte[] {'['}).asReadOnlyBuffer();
    private static final ByteBuffer CLOSE = ByteBuffer.wrap(new byte[] {']'}).asReadOnlyBuffer();

    private Bodies() {}

    /** The response body of a read: raw bytes, or for JSON streams an array of the stored messages. */
    static ByteBuf of(ReadResult r) {
        List<ByteBuffer> chunks = r.chunks();
        if (!r.json()) {
            return chunks.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(chunks.toArray(ByteBuffer[]::new));
        }
        ByteBuffer[] parts = new ByteBuffer[chunks.size() + 2];
        parts[0] = OPEN.duplicate();
        for (int i = 0; i < chunks.size(); i++) parts[i + 1] = chunks.get(i);
        if (!chunks.isEmpty()) { // every stored message ends with a comma; drop the last one
            ByteBuffer last = chunks.get(chunks.size() - 1).duplicate();
            last.limit(last.limit() - 1);
            parts[chunks.size()] = last;
        }
        parts[parts.length - 1] = CLOSE.duplicate();
        return Unpooled.wrappedBuffer(parts);
    }

    /** The same body as one array, for framing into SSE events. */
    static byte[] bytes(ReadResult r) {
        ByteBuf b = of(r);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }
}
