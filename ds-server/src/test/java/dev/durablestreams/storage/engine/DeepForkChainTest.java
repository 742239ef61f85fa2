package dev.durablestreams.storage.engine;

import static dev.durablestreams.storage.engine.StreamStoreContract.await;
import static dev.durablestreams.storage.engine.StreamStoreContract.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.memory.MemoryLog;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fork chains far deeper than a recursive walk survives: reads, sub-offset forks and deletes walk them in loops.
 * Reads and deletes run on a thread with a small stack, as tight as an event loop's or tighter.
 */
class DeepForkChainTest {
    static final int DEPTH = 30_000;
    static final String TEXT = "text/plain";

    StreamEngine store;

    @BeforeEach
    void start() {
        store = new StreamEngine(new MemoryLog(), new EngineOptions(Long.MAX_VALUE, Long.MAX_VALUE, DEPTH));
        await(store.create(new CreateRequest("c0", TEXT, null, null, false, bytes("r"), null)));
        for (int i = 1; i <= DEPTH; i++) {
            // Every tenth fork adds a byte: most levels own nothing, as in a chain of forks taken at the tail.
            await(store.create(new CreateRequest("c" + i, null, null, null, false, bytes(i % 10 == 0 ? "x" : ""),
                    new ForkSpec("c" + (i - 1), null, 0))));
        }
    }

    @AfterEach
    void stop() {
        store.close();
    }

    @Test
    void theLeafOfAChainAtTheCapIsReadForkedAndDeleted() throws Exception {
        String leaf = "c" + DEPTH;
        String expected = "r" + "x".repeat(DEPTH / 10);
        assertThat(onSmallStack(() -> readAll(leaf))).isEqualTo(expected);
        ReadResult middle = onSmallStack(() -> await(store.read(leaf, ReadFrom.at(Offset.at(1)), 3)));
        assertThat(text(middle)).isEqualTo("xxx");

        // A sub-offset fork looks up the record at its anchor through the whole chain.
        await(store.create(new CreateRequest("sub", TEXT, null, null, false, new byte[0],
                new ForkSpec("c" + (DEPTH - 1), Offset.ZERO, 1))));
        assertThat(readAll("sub")).isEqualTo("r");
        onSmallStack(() -> await(store.delete("sub")));

        // Soft-delete every ancestor, then the leaf: one purge of the whole chain.
        for (int i = 0; i < DEPTH; i++) await(store.delete("c" + i));
        assertThat(onSmallStack(() -> readAll(leaf))).isEqualTo(expected);
        onSmallStack(() -> await(store.delete(leaf)));
        assertThat(store.streamCount()).isZero();
    }

    private String readAll(String path) {
        StringBuilder out = new StringBuilder();
        ReadFrom from = ReadFrom.START;
        while (true) {
            ReadResult r = await(store.read(path, from, 1 << 20));
            out.append(text(r));
            if (r.upToDate()) return out.toString();
            from = ReadFrom.at(r.next());
        }
    }

    /** Runs {@code body} on a thread with a 256 KiB stack; the memory backend reads on the caller's thread. */
    private static <T> T onSmallStack(java.util.function.Supplier<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            try {
                result.complete(body.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        return result.get();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
