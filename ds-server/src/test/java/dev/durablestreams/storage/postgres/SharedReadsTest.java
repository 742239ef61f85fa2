package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.ReadResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Reads join a waiting identical read only until its query starts: joiners share its result (each with buffers of
 * its own), and a read arriving once the query runs gets a query of its own, so it sees every earlier commit.
 */
class SharedReadsTest {
    private final SharedReads shared = new SharedReads();
    private final SharedReads.Key key = new SharedReads.Key("s", 1, ReadFrom.at(Offset.at(3)), 1024);
    /** Each query: its "started" callback, and the future the test completes as the database would. */
    private final List<Runnable> started = new ArrayList<>();
    private final List<CompletableFuture<ReadResult>> queries = new ArrayList<>();

    private CompletableFuture<ReadResult> read(SharedReads.Key k) {
        return shared.read(k, start -> {
            started.add(start);
            CompletableFuture<ReadResult> q = new CompletableFuture<>();
            queries.add(q);
            return q;
        });
    }

    @Test
    void readsWaitingTogetherShareOneQueryUntilItStarts() {
        CompletableFuture<ReadResult> first = read(key);
        CompletableFuture<ReadResult> second = read(key);
        CompletableFuture<ReadResult> other = read(new SharedReads.Key("t", 1, key.from(), 1024));
        assertThat(queries).hasSize(2); // the second joined the first; another stream has its own

        started.get(0).run(); // the first query starts: from now on a read gets a new one
        CompletableFuture<ReadResult> late = read(key);
        assertThat(queries).hasSize(3);

        queries.get(0).complete(result("abc"));
        assertThat(text(first.join())).isEqualTo("abc");
        assertThat(text(second.join())).isEqualTo("abc");
        assertThat(first.join().chunks().get(0)).isNotSameAs(second.join().chunks().get(0));
        assertThat(late).isNotDone();
        assertThat(other).isNotDone();
    }

    @Test
    void aFailedQueryFailsItsJoinersAndTheNextReadQueriesAgain() {
        CompletableFuture<ReadResult> first = read(key);
        CompletableFuture<ReadResult> second = read(key);
        queries.get(0).completeExceptionally(new IllegalStateException("down")); // failed before it started
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        read(key);
        assertThat(queries).hasSize(2);
    }

    private static ReadResult result(String data) {
        return new ReadResult(1, "text/plain", false, Offset.at(3),
                List.of(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))), Offset.at(3 + data.length()), true,
                false, new CommitSignal());
    }

    private static String text(ReadResult r) {
        StringBuilder b = new StringBuilder();
        for (ByteBuffer buf : r.chunks()) b.append(StandardCharsets.UTF_8.decode(buf.duplicate()));
        return b.toString();
    }
}
