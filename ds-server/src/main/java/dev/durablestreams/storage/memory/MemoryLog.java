package dev.durablestreams.storage.memory;

import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.engine.LogChunk;
import dev.durablestreams.storage.engine.LogOp;
import dev.durablestreams.storage.engine.RecordReader;
import dev.durablestreams.storage.engine.StreamLog;
import dev.durablestreams.storage.rules.StreamMeta;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/** A {@link StreamLog} that keeps records on the heap: for tests and ephemeral use. Nothing survives a restart. */
public final class MemoryLog implements StreamLog {
    private final Map<Long, ConcurrentSkipListMap<Long, byte[]>> records = new ConcurrentHashMap<>();
    private final Map<Long, StreamMeta> metas = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, ProducerState>> producers = new ConcurrentHashMap<>();

    @Override
    public Recovered recover() {
        return new Recovered(List.of(), Map.of());
    }

    @Override
    public synchronized CompletableFuture<Void> commit(List<LogOp> ops, BooleanSupplier valid) {
        if (!valid.getAsBoolean()) {
            return CompletableFuture.failedFuture(new StreamError(StreamError.Kind.UNAVAILABLE, "commit voided"));
        }
        for (LogOp op : ops) {
            if (op instanceof LogOp.PutRecord r) {
                records.computeIfAbsent(r.streamId(), k -> new ConcurrentSkipListMap<>()).put(r.offset(), r.bytes());
            } else if (op instanceof LogOp.PutMeta m) {
                metas.put(m.meta().id(), m.meta());
            } else if (op instanceof LogOp.PutProducer p) {
                producers.computeIfAbsent(p.streamId(), k -> new ConcurrentHashMap<>()).put(p.producerId(), p.state());
            } else if (op instanceof LogOp.DropStream d) {
                records.remove(d.streamId());
                metas.remove(d.streamId());
                producers.remove(d.streamId());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public LogChunk read(long streamId, long from, long to, int maxBytes, boolean wholeRecords, boolean mustReturn) {
        RecordReader reader = new RecordReader(from, to, maxBytes, wholeRecords, mustReturn);
        ConcurrentSkipListMap<Long, byte[]> recs = records.get(streamId);
        if (recs != null) {
            Long first = recs.floorKey(from);
            for (Map.Entry<Long, byte[]> e : recs.tailMap(first == null ? from : first).entrySet()) {
                if (!reader.offer(e.getKey(), e.getValue())) break;
            }
        }
        return reader.result();
    }

    @Override
    public StreamMeta loadMeta(long streamId) {
        return metas.get(streamId);
    }

    @Override
    public Map<String, ProducerState> loadProducers(long streamId) {
        return Map.copyOf(producers.getOrDefault(streamId, Map.of()));
    }

    @Override
    public byte[] recordAt(long streamId, long offset) {
        ConcurrentSkipListMap<Long, byte[]> recs = records.get(streamId);
        return recs == null ? null : recs.get(offset);
    }

    @Override
    public boolean readsBlock() {
        return false;
    }

    @Override
    public void persistAccessTimes(Map<Long, Long> lastAccessById) {}

    @Override
    public void close() {}
}
