package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The validator agrees with the JDK's strict decoder on every one-, two- and three-byte input and random longer ones. */
class Utf8Test {
    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private boolean jdkAccepts(byte[] b) {
        try {
            strict.reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private void agree(byte[] b) {
        assertThat(Utf8.isValid(b, 0, b.length)).as(java.util.HexFormat.of().formatHex(b)).isEqualTo(jdkAccepts(b));
    }

    @Test
    void agreesWithTheJdkOnAllShortSequences() {
        for (int a = 0; a < 256; a++) {
            agree(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                agree(new byte[] {(byte) a, (byte) b});
                if (a >= 0xC0) {
                    for (int c : new int[] {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF}) {
                        agree(new byte[] {(byte) a, (byte) b, (byte) c});
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkOnRandomText() {
        Random random = new Random(11);
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
            0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[1 + random.nextInt(8)];
            for (int k = 0; k < b.length; k++) b[k] = (byte) interesting[random.nextInt(interesting.length)];
            agree(b);
        }
        String text = "ascii \u00e9 \u20ac \ud83d\ude00 \uffff \u0000";
        agree(text.getBytes(StandardCharsets.UTF_8));
        byte[] padded = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.isValid(padded, 2, padded.length - 2)).isTrue();
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.isValid(euro, 0, 2)).isFalse(); // truncated within the range
    }
}
