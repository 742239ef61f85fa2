package dev.durablestreams.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Properties of the pure protocol rules, checked on inputs from a coverage-guided fuzzer (Jazzer): offsets, producer
 * headers and the producer state machine, the cursor, Stream-Seq, lifetimes, media types, JSON splitting and SSE
 * framing. Each input picks one property and feeds it arbitrary values.
 *
 * <p>A plain {@code mvn test} replays the committed corpus ({@code ProtocolFuzzTestInputs/}); {@code JAZZER_FUZZ=1}
 * fuzzes for {@code maxDuration} and adds what it finds to the generated corpus ({@code scripts/fuzz.sh}).
 */
class ProtocolFuzzTest {
    private static final JsonFactory JSON = new JsonFactory();

    @FuzzTest(maxDuration = "45s")
    void rules(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 8)) {
            case 0 -> offsetsRoundTripAndSort(data);
            case 1 -> anyOffsetTextIsAnOffsetOrA400(data);
            case 2 -> producerStateMachine(data);
            case 3 -> producerHeadersAreValidOrA400(data);
            case 4 -> cursorAndStreamSeqMoveForward(data);
            case 5 -> lifetimesAreValidOrA400(data);
            case 6 -> jsonArraysSplitIntoTheClientsBytes(data);
            case 7 -> anyJsonBodyIsStrictOrA400(data);
            default -> sseFramingCannotBeEscaped(data);
        }
    }

    /** The wire form round-trips and sorts like the offsets it names. */
    static void offsetsRoundTripAndSort(FuzzedDataProvider data) {
        long max = 9_999_999_999_999_999L;
        Offset a = new Offset(data.consumeLong(0, max), data.consumeLong(0, max));
        Offset b = new Offset(data.consumeLong(0, max), data.consumeLong(0, max));
        assertThat(a.toString()).hasSize(33);
        assertThat(Offset.parse(a.toString())).isEqualTo(a);
        assertThat(ReadFrom.parse(a.toString())).isEqualTo(ReadFrom.at(a));
        assertThat(Integer.signum(a.toString().compareTo(b.toString()))).isEqualTo(Integer.signum(a.compareTo(b)));
    }

    static void anyOffsetTextIsAnOffsetOrA400(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        ReadFrom r;
        try {
            r = ReadFrom.parse(text);
        } catch (ProtocolException e) {
            assertThat(e.status()).isEqualTo(400);
            return;
        }
        if (r.kind() == ReadFrom.Kind.AT) assertThat(r.offset().toString()).isNotEmpty();
    }

    /**
     * Whatever requests a client sends, what gets appended is each epoch's seqs 0, 1, 2, ... once each, epochs only
     * move forward, and nothing already applied is applied again.
     */
    static void producerStateMachine(FuzzedDataProvider data) {
        ProducerState state = null;
        List<long[]> accepted = new ArrayList<>();
        int n = data.consumeInt(0, 64);
        for (int i = 0; i < n; i++) {
            long epoch = data.consumeLong(0, 3);
            long seq = data.consumeLong(0, 6);
            ProducerCheck outcome = ProducerCheck.evaluate(state, new Producer("p", epoch, seq));
            if (outcome instanceof ProducerCheck.Accept) {
                if (state == null || epoch > state.epoch()) {
                    assertThat(seq).as("a new epoch starts at 0").isZero();
                } else {
                    assertThat(epoch).isEqualTo(state.epoch());
                    assertThat(seq).isEqualTo(state.lastSeq() + 1);
                }
                for (long[] done : accepted) assertThat(done[0] == epoch && done[1] == seq).isFalse();
                accepted.add(new long[] {epoch, seq});
                state = new ProducerState(epoch, seq);
            } else if (outcome instanceof ProducerCheck.Duplicate d) {
                assertThat(state).isNotNull();
                assertThat(epoch).isEqualTo(state.epoch());
                assertThat(seq).isLessThanOrEqualTo(state.lastSeq());
                assertThat(d.lastSeq()).isEqualTo(state.lastSeq());
            } else if (outcome instanceof ProducerCheck.StaleEpoch s) {
                assertThat(epoch).isLessThan(state.epoch());
                assertThat(s.currentEpoch()).isEqualTo(state.epoch());
            } else if (outcome instanceof ProducerCheck.BadEpochStart) {
                assertThat(epoch).isGreaterThan(state.epoch());
                assertThat(seq).isPositive();
            } else if (outcome instanceof ProducerCheck.Gap g) {
                long expected = state == null ? 0 : state.lastSeq() + 1;
                assertThat(g.expected()).isEqualTo(expected);
                assertThat(g.received()).isEqualTo(seq).isGreaterThan(expected);
            }
        }
        for (long[] done : accepted) {
            ProducerCheck again = ProducerCheck.evaluate(state, new Producer("p", done[0], done[1]));
            assertThat(again).isNotInstanceOf(ProducerCheck.Accept.class);
        }
    }

    /** Any header values: no producer, a producer within the JSON-safe range, or a 400. */
    static void producerHeadersAreValidOrA400(FuzzedDataProvider data) {
        String id = data.consumeBoolean() ? null : data.consumeString(8);
        String epoch = data.consumeBoolean() ? null : headerNumber(data);
        String seq = data.consumeBoolean() ? null : headerNumber(data);
        Producer p;
        try {
            p = Producer.fromHeaders(id, epoch, seq);
        } catch (ProtocolException e) {
            assertThat(e.status()).isEqualTo(400);
            return;
        }
        if (p == null) {
            assertThat(id == null && epoch == null && seq == null).isTrue();
            return;
        }
        assertThat(p.id()).isNotEmpty();
        assertThat(p.epoch()).isBetween(0L, Producer.MAX_VALUE);
        assertThat(p.seq()).isBetween(0L, Producer.MAX_VALUE);
        assertThat(Long.parseLong(epoch)).isEqualTo(p.epoch());
        assertThat(Long.parseLong(seq)).isEqualTo(p.seq());
    }

    private static String headerNumber(FuzzedDataProvider data) {
        return data.consumeBoolean()
                ? Long.toString(data.consumeLong(0, Producer.MAX_VALUE + 2))
                : data.consumeString(20);
    }

    /** The cursor moves past the current interval and past any cursor the client echoes; Stream-Seq is strict. */
    static void cursorAndStreamSeqMoveForward(FuzzedDataProvider data) {
        long now = data.consumeLong(1728432000000L, 7258118400000L);
        String client = data.consumeBoolean() ? Long.toString(data.consumeLong(0, 10_000_000)) : data.consumeString(20);
        long next = Long.parseLong(Cursor.next(client, now));
        assertThat(next).isGreaterThanOrEqualTo(Cursor.intervalAt(now));
        if (client.matches("[0-9]{1,18}") && Long.parseLong(client) >= Cursor.intervalAt(now)) {
            assertThat(next).isGreaterThan(Long.parseLong(client));
        }
        String a = data.consumeString(10);
        String b = data.consumeString(10);
        assertThat(StreamSeq.mayFollow(a, a)).isFalse();
        if (!a.equals(b)) assertThat(StreamSeq.mayFollow(a, b)).isNotEqualTo(StreamSeq.mayFollow(b, a));
        assertThat(StreamSeq.mayFollow(null, a)).isTrue();
    }

    /** Any Stream-TTL is a positive number of seconds or a 400; any Stream-Expires-At an instant or a 400. */
    static void lifetimesAreValidOrA400(FuzzedDataProvider data) {
        String ttl = data.consumeBoolean() ? Long.toString(data.consumeLong()) : data.consumeString(24);
        try {
            Long seconds = Lifetime.parseTtl(ttl);
            assertThat(seconds).isPositive();
            assertThat(Long.toString(seconds)).isEqualTo(ttl);
        } catch (ProtocolException e) {
            assertThat(e.status()).isEqualTo(400);
        }
        String expires = switch (data.consumeInt(0, 2)) {
            case 0 -> data.pickValue(new String[] {"+999999999", "-999999999", "+10000", "-0001", "0000", "9999", "2030"})
                    + "-12-31T23:59:59" + data.pickValue(new String[] {"Z", "+00:00", "-18:00", "+18:00", "z", ".5Z"});
            case 1 -> Instant.ofEpochSecond(data.consumeLong(-31557014167219200L, 31556889864403199L)).toString();
            default -> data.consumeString(40);
        };
        try {
            assertThat(Lifetime.parseExpiresAt(expires)).isNotNull();
        } catch (ProtocolException e) {
            assertThat(e.status()).isEqualTo(400);
        }
    }

    /**
     * A top-level array is flattened one level into messages kept as the client's bytes; the stored form read back
     * as {@code [stored-without-last-comma]} is the same JSON, token for token.
     */
    static void jsonArraysSplitIntoTheClientsBytes(FuzzedDataProvider data) {
        String ws = data.pickValue(new String[] {"", " ", "\n", "\t", "\r\n"});
        int n = data.consumeInt(0, 6);
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < n; i++) elements.add(jsonValue(data, 3));
        String body = ws + "[" + ws + String.join(ws + "," + ws, elements) + ws + "]" + ws;
        JsonMessages.Batch batch = JsonMessages.parse(body.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.count()).isEqualTo(n);
        if (n == 0) {
            assertThat(batch.stored()).isEmpty();
            return;
        }
        byte[] stored = batch.stored();
        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(String.join(",", elements) + ",");
        assertThat(tokens("[" + new String(stored, 0, stored.length - 1, StandardCharsets.UTF_8) + "]"))
                .isEqualTo(tokens(body));
        for (int k = 0; k <= n; k++) {
            int expected = k == 0 ? 0 : String.join(",", elements.subList(0, k)).getBytes(StandardCharsets.UTF_8).length + 1;
            assertThat(JsonMessages.prefixLength(stored, k)).isEqualTo(expected);
        }
    }

    private static String jsonValue(FuzzedDataProvider data, int depth) {
        int kind = data.consumeInt(0, depth > 0 ? 5 : 3);
        return switch (kind) {
            case 0 -> data.pickValue(new String[] {"true", "false", "null", "0", "-0", "1e3", "2.50", "-12.5E-7",
                    "9007199254740993"});
            case 1 -> Long.toString(data.consumeLong());
            case 2, 3 -> quote(data.consumeString(12));
            case 4 -> {
                int n = data.consumeInt(0, 3);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) items.add(jsonValue(data, depth - 1));
                yield "[" + String.join(" , ", items) + "]";
            }
            default -> {
                int n = data.consumeInt(0, 3);
                List<String> members = new ArrayList<>();
                for (int i = 0; i < n; i++) members.add(quote(data.consumeString(4)) + ":" + jsonValue(data, depth - 1));
                yield "{" + String.join(",", members) + "}";
            }
        };
    }

    /** Arbitrary bytes are accepted only when they are one well-formed JSON value in strict UTF-8; otherwise 400. */
    static void anyJsonBodyIsStrictOrA400(FuzzedDataProvider data) {
        byte[] body = data.consumeRemainingAsBytes();
        JsonMessages.Batch batch;
        try {
            batch = JsonMessages.parse(body);
        } catch (ProtocolException e) {
            assertThat(e.status()).isEqualTo(400);
            return;
        }
        assertThat(strictUtf8(body)).as("an accepted body is strict UTF-8").isTrue();
        assertThat(batch.count()).isNotNegative();
    }

    /**
     * Read back by a WHATWG event-stream parser, a text payload is exactly one data event whose data is the payload
     * with line breaks normalised to LF, binary is one base64 event, and a control event is one control event: no
     * payload byte can start another field or event.
     */
    static void sseFramingCannotBeEscaped(FuzzedDataProvider data) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        int n = data.consumeInt(1, 4);
        for (int i = 0; i < n; i++) {
            byte[] payload = data.consumeBytes(64);
            if (data.consumeBoolean()) {
                stream.writeBytes(SseFormat.textEvent(payload, 0, payload.length));
                expected.add("data:" + new String(payload, StandardCharsets.ISO_8859_1)
                        .replace("\r\n", "\n").replace('\r', '\n'));
            } else {
                stream.writeBytes(SseFormat.base64Event(payload, 0, payload.length));
                expected.add("data:" + Base64.getEncoder().encodeToString(payload));
            }
            Offset next = Offset.at(data.consumeLong(0, 9_999_999_999_999_999L));
            boolean closed = data.consumeBoolean();
            stream.writeBytes(SseFormat.controlEvent(next, data.consumeBoolean() ? null : "123", data.consumeBoolean(), closed));
            expected.add("control:" + next);
        }
        List<String> events = parseSse(stream.toByteArray());
        assertThat(events).hasSize(expected.size());
        for (int i = 0; i < events.size(); i++) {
            if (expected.get(i).startsWith("control:")) {
                assertThat(events.get(i)).startsWith("control:{\"streamNextOffset\":\"" + expected.get(i).substring(8) + "\"");
            } else {
                assertThat(events.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    /**
     * Events as {@code type:data}; bytes read as ISO-8859-1 so every byte survives. Data lines are read as the
     * protocol writes them, {@code data:<line>} with every byte after the colon (a WHATWG parser would also drop
     * one leading space of the line).
     */
    static List<String> parseSse(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> events = new ArrayList<>();
        String type = "";
        StringBuilder eventData = new StringBuilder();
        boolean hasData = false;
        int i = 0;
        while (i < s.length()) {
            int end = i;
            while (end < s.length() && s.charAt(end) != '\n' && s.charAt(end) != '\r') end++;
            if (end == s.length()) throw new AssertionError("stream ends inside a line: " + s.substring(i));
            String line = s.substring(i, end);
            i = end + (s.charAt(end) == '\r' && end + 1 < s.length() && s.charAt(end + 1) == '\n' ? 2 : 1);
            if (line.isEmpty()) {
                if (hasData) events.add((type.isEmpty() ? "message" : type) + ":" + eventData);
                type = "";
                eventData.setLength(0);
                hasData = false;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            switch (field) {
                case "event" -> type = value.startsWith(" ") ? value.substring(1) : value;
                case "data" -> {
                    if (hasData) eventData.append('\n');
                    eventData.append(value);
                    hasData = true;
                }
                default -> throw new AssertionError("unexpected field '" + field + "' in " + s);
            }
        }
        if (hasData || !type.isEmpty()) throw new AssertionError("unterminated event at the end of " + s);
        return events;
    }

    static boolean strictUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static List<String> tokens(String json) {
        List<String> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) out.add(t + ":" + p.getText());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        return out;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
