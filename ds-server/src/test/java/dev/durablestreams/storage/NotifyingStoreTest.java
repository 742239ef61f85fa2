package dev.durablestreams.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifyingStoreTest {
    private static CreateRequest create(String path) {
        return new CreateRequest(path, "text/plain", null, null, false, "ab".getBytes(StandardCharsets.UTF_8), null);
    }

    private static AppendRequest append(String path) {
        return new AppendRequest(path, "text/plain", "cde".getBytes(StandardCharsets.UTF_8), false, null, null);
    }

    @Test
    void reportsDurableChangesBeforeTheCallerSeesThem() {
        List<String> events = new ArrayList<>();
        try (StreamEngine engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED)) {
            StreamStore s = new NotifyingStore(engine, new StreamListener() {
                public void created(String path, Offset tail) { events.add("created " + path + " " + tail.position()); }
                public void advanced(String path, Offset tail) { events.add("advanced " + path + " " + tail.position()); }
                public void deleted(String path) { events.add("deleted " + path); }
            });
            s.create(create("a")).join();
            s.create(create("a")).join(); // idempotent re-create: nothing new
            s.append(append("a")).join();
            s.delete("a").join();
            assertThat(events).containsExactly("created a 2", "advanced a 5", "deleted a");
        }
    }

    /** A listener that fails (e.g. a subscription manager shutting down) never fails a durable change. */
    @Test
    void aFailingListenerNeverFailsTheRequest() {
        try (StreamEngine engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED)) {
            StreamStore s = new NotifyingStore(engine, new StreamListener() {
                public void created(String path, Offset tail) { throw new IllegalStateException("boom"); }
                public void advanced(String path, Offset tail) { throw new IllegalStateException("boom"); }
                public void deleted(String path) { throw new IllegalStateException("boom"); }
            });
            assertThat(s.create(create("b")).join().created()).isTrue();
            assertThat(s.append(append("b")).join().next().position()).isEqualTo(5);
            s.delete("b").join();
        }
    }
}
