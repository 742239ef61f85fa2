package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which timeout applies, as the transport reports reads. Epoll can report a read completion that read no bytes;
 * that must not start a request head's clock on an idle connection (it would time out a connection no client
 * is using). This needs a completion without bytes on demand, which only an embedded channel gives.
 */
class ConnectionTimeoutsPhaseTest {
    static final Duration LONG = Duration.ofMinutes(10);

    @Test
    void aReadCompletionWithoutBytesLeavesAnIdleConnectionIdle() {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(
                new Limits(0, LONG, LONG, LONG, Limits.DEFAULT_SSE_CHUNK, 0, 1 << 20), new ConnectionLimits());
        // With the handler that tells it when each exchange's response has been written.
        EmbeddedChannel ch = new EmbeddedChannel(timeouts.byteSensor(), new HttpServerCodec(), timeouts,
                new Http1Exchanges(() -> false, timeouts::exchangeEnded));
        assertThat(timeouts.phase()).isEqualTo("IDLE");

        ch.writeInbound(bytes("GET /v1/stream/s HTTP/1.1\r\nHost: t\r\n\r\n"));
        assertThat(timeouts.phase()).isEqualTo("BUSY"); // the request is being answered
        drainInbound(ch);
        ch.writeOutbound(Responses.empty(204));
        assertThat(timeouts.phase()).isEqualTo("IDLE");

        ch.pipeline().fireChannelReadComplete(); // no bytes
        assertThat(timeouts.phase()).isEqualTo("IDLE");

        ch.writeInbound(bytes("GET /v1/str"));
        assertThat(timeouts.phase()).isEqualTo("HEAD");
        ch.writeInbound(bytes("eam/s HTTP/1.1\r\nHost: t\r\n\r\n"));
        assertThat(timeouts.phase()).isEqualTo("BUSY");
        drainInbound(ch);
        ch.finishAndReleaseAll();
    }

    private static io.netty.buffer.ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static void drainInbound(EmbeddedChannel ch) {
        for (Object m; (m = ch.readInbound()) != null; ) ReferenceCountUtil.release(m);
    }
}
