package dev.durablestreams.storage;

import dev.durablestreams.protocol.ReadFrom;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamStore} that tells a {@link StreamListener} about every durable create, append and delete.
 * The listener runs before the caller's future completes, so an event is recorded before the client sees
 * the response (a request the client sends next is ordered after it).
 */
public final class NotifyingStore implements StreamStore {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyingStore.class);
    private final StreamStore store;
    private final StreamListener listener;

    public NotifyingStore(StreamStore store, StreamListener listener) {
        this.store = store;
        this.listener = listener;
    }

    @Override
    public CompletableFuture<CreateResult> create(CreateRequest request) {
        return store.create(request).thenApply(r -> {
            if (r.created()) tell(() -> listener.created(request.path(), r.info().tail()));
            return r;
        });
    }

    @Override
    public CompletableFuture<AppendResult> append(AppendRequest request) {
        return store.append(request).thenApply(r -> {
            if (!r.duplicate()) tell(() -> listener.advanced(request.path(), r.next()));
            return r;
        });
    }

    @Override
    public CompletableFuture<Void> delete(String path) {
        return store.delete(path).thenApply(v -> {
            tell(() -> listener.deleted(path));
            return v;
        });
    }

    /** The change is durable whatever the listener does: its failure must never fail the client's request. */
    private static void tell(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.error("stream listener failed", e);
        }
    }

    @Override
    public CompletableFuture<StreamInfo> info(String path) {
        return store.info(path);
    }

    @Override
    public CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes) {
        return store.read(path, incarnation, from, maxBytes);
    }

    @Override
    public StorageHealth health() {
        return store.health();
    }

    @Override
    public CompletableFuture<Void> probeWrite() {
        return store.probeWrite();
    }

    @Override
    public Collection<String> paths() {
        return store.paths();
    }

    @Override
    public java.util.Map<String, dev.durablestreams.protocol.Offset> tails(Collection<String> paths) {
        return store.tails(paths);
    }

    @Override
    public void close() {
        store.close();
    }
}
