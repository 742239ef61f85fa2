package dev.durablestreams.http;

/** Extracts the payload of SSE data events (single-line text payloads) from a response body. */
final class SseText {
    private SseText() {}

    /** The data lines of every {@code event: data} event, concatenated in order. */
    static String dataPayload(String body) {
        StringBuilder out = new StringBuilder();
        boolean inData = false;
        for (String line : body.split("\n", -1)) {
            if (line.equals("event: data")) inData = true;
            else if (line.isEmpty()) inData = false;
            else if (inData && line.startsWith("data:")) out.append(line.substring(5));
        }
        return out.toString();
    }
}
