package dev.durablestreams.storage.rocksdb;

import dev.durablestreams.protocol.Producer;
import dev.durablestreams.storage.rules.StreamMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Binary form of {@link StreamMeta}. A leading version byte lets the format evolve. */
final class MetaCodec {
    private static final int VERSION = 1;

    private MetaCodec() {}

    static byte[] encode(StreamMeta m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeUTF(m.path());
            out.writeUTF(m.contentType());
            out.writeLong(m.ttlSeconds());
            out.writeLong(m.expiresAtMillis());
            out.writeLong(m.createdAtMillis());
            out.writeLong(m.forkSourceId());
            out.writeLong(m.forkOffset());
            out.writeLong(m.forkSubOffset());
            out.writeLong(m.tail());
            out.writeBoolean(m.closed());
            out.writeBoolean(m.closedBy() != null);
            if (m.closedBy() != null) {
                out.writeUTF(m.closedBy().id());
                out.writeLong(m.closedBy().epoch());
                out.writeLong(m.closedBy().seq());
            }
            out.writeBoolean(m.lastSeq() != null);
            if (m.lastSeq() != null) out.writeUTF(m.lastSeq());
            out.writeInt(m.refCount());
            out.writeBoolean(m.softDeleted());
            out.writeLong(m.lastAccessMillis());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StreamMeta decode(long id, byte[] value) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            int version = in.readByte();
            if (version != VERSION) throw new IllegalStateException("unknown metadata version " + version + " for stream " + id);
            String path = in.readUTF();
            String contentType = in.readUTF();
            long ttl = in.readLong();
            long expiresAt = in.readLong();
            long createdAt = in.readLong();
            long forkSource = in.readLong();
            long forkOffset = in.readLong();
            long forkSub = in.readLong();
            long tail = in.readLong();
            boolean closed = in.readBoolean();
            Producer closedBy = in.readBoolean() ? new Producer(in.readUTF(), in.readLong(), in.readLong()) : null;
            String lastSeq = in.readBoolean() ? in.readUTF() : null;
            int refCount = in.readInt();
            boolean softDeleted = in.readBoolean();
            long lastAccess = in.readLong();
            return new StreamMeta(id, path, contentType, ttl, expiresAt, createdAt, forkSource, forkOffset, forkSub,
                    tail, closed, closedBy, lastSeq, refCount, softDeleted, lastAccess);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt metadata for stream " + id, e);
        }
    }

    static StreamMeta withAccess(StreamMeta m, long lastAccess) {
        return new StreamMeta(m.id(), m.path(), m.contentType(), m.ttlSeconds(), m.expiresAtMillis(),
                m.createdAtMillis(), m.forkSourceId(), m.forkOffset(), m.forkSubOffset(), m.tail(), m.closed(),
                m.closedBy(), m.lastSeq(), m.refCount(), m.softDeleted(), lastAccess);
    }
}
