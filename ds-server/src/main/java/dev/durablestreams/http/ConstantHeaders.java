package dev.durablestreams.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Header lines that never change, validated once when built. {@link #setOn} replaces them in a response by copying
 * the stored entries, which Netty does without validating each value again (the CORS expose list alone is over 300
 * characters, and every response carries it).
 */
final class ConstantHeaders {
    private final DefaultHttpHeaders lines = new DefaultHttpHeaders();
    private final List<AsciiString> names = new ArrayList<>();

    /** @param nameValuePairs name, value, name, value, ... */
    ConstantHeaders(CharSequence... nameValuePairs) {
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            AsciiString name = AsciiString.cached(nameValuePairs[i].toString());
            names.add(name);
            lines.add(name, AsciiString.cached(nameValuePairs[i + 1].toString())); // validated here, once
        }
    }

    /** Sets every line on {@code h}, replacing any value already there (a forwarded response may carry them). */
    void setOn(HttpHeaders h) {
        for (int i = 0; i < names.size(); i++) h.remove(names.get(i));
        h.add(lines);
    }
}
