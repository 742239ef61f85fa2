package dev.durablestreams.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** {@code Stream-Seq} writer coordination: each value must sort strictly after the last, byte-wise. */
public final class StreamSeq {
    private StreamSeq() {}

    /** True when {@code next} may follow {@code last} ({@code null} when the stream has none yet). */
    public static boolean mayFollow(String last, String next) {
        if (last == null) return true;
        return Arrays.compareUnsigned(next.getBytes(StandardCharsets.UTF_8), last.getBytes(StandardCharsets.UTF_8)) > 0;
    }
}
