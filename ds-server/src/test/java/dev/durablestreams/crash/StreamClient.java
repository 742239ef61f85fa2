package dev.durablestreams.crash;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/** The few protocol calls the crash tests make, over java.net.http. */
final class StreamClient {
    static final String TYPE = "application/octet-stream";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    void create(String base, String stream) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + stream))
                .PUT(BodyPublishers.noBody()).header("Content-Type", TYPE).timeout(Duration.ofSeconds(20)).build(),
                BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new AssertionError("create " + stream + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** An idempotent-producer append; returns the response (status, Stream-Next-Offset). */
    HttpResponse<String> append(String base, String stream, String producer, long epoch, long seq, byte[] body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + stream))
                .POST(BodyPublishers.ofByteArray(body))
                .header("Content-Type", TYPE)
                .header("Producer-Id", producer)
                .header("Producer-Epoch", Long.toString(epoch))
                .header("Producer-Seq", Long.toString(seq))
                .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
    }

    /** A plain GET of {@code url} (such as a node's {@code /readyz}). */
    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(20)).build(),
                BodyHandlers.ofString());
    }

    /** Reads the whole stream from offset -1, following Stream-Next-Offset until Stream-Up-To-Date. */
    byte[] readAll(String base, String stream) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String offset = "-1";
        for (int i = 0; i < 100_000; i++) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + stream + "?offset=" + offset))
                    .GET().timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new AssertionError("read " + stream + " at " + offset + ": " + r.statusCode());
            out.write(r.body());
            String next = r.headers().firstValue("Stream-Next-Offset")
                    .orElseThrow(() -> new AssertionError("read without Stream-Next-Offset"));
            if (r.headers().firstValue("Stream-Up-To-Date").map("true"::equals).orElse(false)) return out.toByteArray();
            if (next.equals(offset)) throw new AssertionError("read made no progress at " + offset);
            offset = next;
        }
        throw new AssertionError("read of " + stream + " never reached the tail");
    }

    /** The byte position of an offset ({@code readSeq_position}). */
    static long position(String offset) {
        return Long.parseLong(offset.substring(offset.indexOf('_') + 1));
    }
}
