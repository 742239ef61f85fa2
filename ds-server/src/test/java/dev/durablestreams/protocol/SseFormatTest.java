package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SseFormatTest {

    private static String text(String payload) {
        byte[] b = payload.getBytes(StandardCharsets.UTF_8);
        return new String(SseFormat.textEvent(b, 0, b.length), StandardCharsets.UTF_8);
    }

    @Test
    void dataLinesHaveNoSpaceAfterTheColon() {
        assertThat(text("hello")).isEqualTo("event: data\ndata:hello\n\n");
    }

    @Test
    void splitsOnLfCrAndCrlfSoPayloadCannotInjectEvents() {
        assertThat(text("a\nb")).isEqualTo("event: data\ndata:a\ndata:b\n\n");
        assertThat(text("a\r\nb")).isEqualTo("event: data\ndata:a\ndata:b\n\n");
        assertThat(text("a\rb")).isEqualTo("event: data\ndata:a\ndata:b\n\n");
        assertThat(text("a\r\revent: control\ndata:{}"))
                .isEqualTo("event: data\ndata:a\ndata:\ndata:event: control\ndata:data:{}\n\n");
        assertThat(text("end\n")).isEqualTo("event: data\ndata:end\ndata:\n\n");
    }

    @Test
    void emptyPayloadIsOneEmptyDataLine() {
        assertThat(text("")).isEqualTo("event: data\ndata:\n\n");
    }

    @Test
    void binaryIsPaddedStandardBase64() {
        byte[] bytes = {0, 1, 2, 3, (byte) 0xff};
        String ev = new String(SseFormat.base64Event(bytes, 0, bytes.length), StandardCharsets.US_ASCII);
        assertThat(ev).startsWith("event: data\ndata:").endsWith("\n\n");
        String b64 = ev.substring("event: data\ndata:".length(), ev.length() - 2);
        assertThat(b64.length() % 4).isZero();
        assertThat(Base64.getDecoder().decode(b64)).containsExactly(bytes);
        byte[] slice = SseFormat.base64Event(bytes, 1, 2);
        assertThat(new String(slice, StandardCharsets.US_ASCII)).isEqualTo("event: data\ndata:AQI=\n\n");
    }

    @Test
    void controlEventsCarryCursorWhileOpenAndCloseWithoutIt() {
        String open = new String(SseFormat.controlEvent(Offset.at(34), "123", true, false), StandardCharsets.US_ASCII);
        assertThat(open).isEqualTo("event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000034\","
                + "\"streamCursor\":\"123\",\"upToDate\":true}\n\n");
        String partial = new String(SseFormat.controlEvent(Offset.at(1), "9", false, false), StandardCharsets.US_ASCII);
        assertThat(partial).doesNotContain("upToDate");
        String closed = new String(SseFormat.controlEvent(Offset.at(34), "123", true, true), StandardCharsets.US_ASCII);
        assertThat(closed).contains("\"streamClosed\":true").contains("\"upToDate\":true").doesNotContain("streamCursor");
    }
}
