package dev.durablestreams.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation (RFC 3629): rejects overlong forms, encoded surrogates, code points above U+10FFFF and
 * truncated sequences, all of which lenient decoders let through and strict readers later choke on.
 */
public final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private Utf8() {}

    /** True when {@code b[from, to)} is well-formed UTF-8. One pass; ASCII runs are checked a word at a time. */
    public static boolean isValid(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            // ASCII runs eight bytes at a time: no byte of the word has its high bit set.
            while (i + 8 <= to && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) i += 8;
            if (i >= to) break;
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c < 0xC2) {
                return false; // a continuation byte, or the lead of an overlong two-byte form
            } else if (c < 0xE0) {
                need = 1;
            } else if (c < 0xF0) {
                need = 2;
                if (c == 0xE0) lo = 0xA0; // overlong
                else if (c == 0xED) hi = 0x9F; // surrogates U+D800..U+DFFF
            } else if (c < 0xF5) {
                need = 3;
                if (c == 0xF0) lo = 0x90; // overlong
                else if (c == 0xF4) hi = 0x8F; // above U+10FFFF
            } else {
                return false;
            }
            if (i + need >= to) return false; // truncated
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) return false;
            for (int k = 2; k <= need; k++) {
                if ((b[i + k] & 0xC0) != 0x80) return false;
            }
            i += need + 1;
        }
        return true;
    }
}
