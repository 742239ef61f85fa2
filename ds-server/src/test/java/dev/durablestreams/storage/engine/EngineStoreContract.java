package dev.durablestreams.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.CreateResult;
import dev.durablestreams.storage.StreamStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The storage contract on {@link StreamEngine} over a {@link StreamLog}, plus what is particular to the engine. */
abstract class EngineStoreContract extends StreamStoreContract {

    /** A fresh log, or (after {@link #reopen()}) one over the same persisted data. */
    abstract StreamLog openLog();

    @Override
    protected StreamStore open(EngineOptions options) {
        return new StreamEngine(openLog(), options, clock::get);
    }

    @Override
    protected long storedStreams() {
        return engine().streamCount();
    }

    StreamEngine engine() {
        return (StreamEngine) store;
    }

    @Test
    void aCreateBeingValidatedHoldsUpNoOtherCreateOrDelete() throws Exception {
        try (HeldCreates held = new HeldCreates(1)) {
            // "slow-0" is held where its body is validated: others create, fork and delete meanwhile.
            assertThat(create("fast", TEXT, "x").created()).isTrue();
            fork("fast-fork", "fast", "y");
            await(store.delete("fast-fork"));
            assertThat(held.creates.get(0)).isNotDone();
        }
        assertThat(readAll("slow-0")).isEqualTo(HeldCreates.STORED);
    }

    @Test
    void aSmallCreateOrDeleteDoesNotQueueBehindLargeCreatesBeingValidated() throws Exception {
        try (HeldCreates held = new HeldCreates(StreamEngine.WORKERS)) { // every worker busy
            assertThat(create("small", TEXT, "x").created()).isTrue();
            await(store.delete("small"));
            assertThat(held.creates).noneMatch(CompletableFuture::isDone);
        }
    }

    /** Large JSON creates held inside body validation until closed; each occupies a storage worker. */
    final class HeldCreates implements AutoCloseable {
        static final String BODY = "[" + "12345678,".repeat(10_000) + "0]"; // over the inline limit
        static final String STORED = "12345678,".repeat(10_000) + "0,";
        final java.util.List<CompletableFuture<CreateResult>> creates = new java.util.ArrayList<>();
        private final CountDownLatch release = new CountDownLatch(1);

        HeldCreates(int n) throws InterruptedException {
            CountDownLatch entered = new CountDownLatch(n);
            engine().onCreateValidation(r -> {
                if (!r.path().startsWith("slow-")) return;
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < n; i++) {
                creates.add(store.create(new CreateRequest("slow-" + i, JSON, null, null, false, bytes(BODY), null)));
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("all held in validation").isTrue();
        }

        @Override
        public void close() {
            release.countDown();
            for (CompletableFuture<CreateResult> c : creates) assertThat(await(c).created()).isTrue();
        }
    }
}
