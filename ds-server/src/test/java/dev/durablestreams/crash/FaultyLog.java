package dev.durablestreams.crash;

import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.engine.LogChunk;
import dev.durablestreams.storage.engine.LogOp;
import dev.durablestreams.storage.engine.StreamLog;
import dev.durablestreams.storage.rules.StreamMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A {@link StreamLog} whose commits fail, without storing anything, while a fault is switched on. The decision is
 * taken where the real log evaluates {@code valid}, just before it would write, so failures arrive in commit order
 * and on the log's own thread, as a failed write would (pipelined commits behind a failed one are already queued).
 */
final class FaultyLog implements StreamLog {
    enum Fault { NONE, IO_ERROR, NO_SPACE }

    private final StreamLog delegate;
    volatile Fault fault = Fault.NONE;
    final AtomicInteger injected = new AtomicInteger();

    FaultyLog(StreamLog delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Void> commit(List<LogOp> ops, BooleanSupplier valid) {
        Fault[] hit = {Fault.NONE};
        BooleanSupplier guarded = () -> {
            Fault f = fault;
            if (f != Fault.NONE) {
                hit[0] = f;
                injected.incrementAndGet();
                return false; // the delegate then writes nothing for this commit
            }
            return valid.getAsBoolean();
        };
        CompletableFuture<Void> out = new CompletableFuture<>();
        delegate.commit(ops, guarded).whenComplete((v, err) -> {
            switch (hit[0]) {
                // What an fsync failure looks like to the engine: a plain I/O exception, not a StreamError.
                case IO_ERROR -> out.completeExceptionally(
                        new UncheckedIOException(new IOException("injected fault: Input/output error")));
                // What RocksLog reports for ENOSPC.
                case NO_SPACE -> out.completeExceptionally(
                        new StreamError(StreamError.Kind.INSUFFICIENT_STORAGE, "storage is full"));
                case NONE -> {
                    if (err != null) out.completeExceptionally(err);
                    else out.complete(null);
                }
            }
        });
        return out;
    }

    @Override
    public Recovered recover() {
        return delegate.recover();
    }

    @Override
    public LogChunk read(long streamId, long from, long to, int maxBytes, boolean wholeRecords, boolean mustReturn) {
        return delegate.read(streamId, from, to, maxBytes, wholeRecords, mustReturn);
    }

    @Override
    public StreamMeta loadMeta(long streamId) {
        return delegate.loadMeta(streamId);
    }

    @Override
    public Map<String, ProducerState> loadProducers(long streamId) {
        return delegate.loadProducers(streamId);
    }

    @Override
    public byte[] recordAt(long streamId, long offset) {
        return delegate.recordAt(streamId, offset);
    }

    @Override
    public boolean readsBlock() {
        return delegate.readsBlock();
    }

    @Override
    public void persistAccessTimes(Map<Long, Long> lastAccessById) {
        delegate.persistAccessTimes(lastAccessById);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
