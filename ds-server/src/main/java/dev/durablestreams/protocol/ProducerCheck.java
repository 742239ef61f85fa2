package dev.durablestreams.protocol;

/**
 * The producer state machine of spec section 5.2.1, as a pure function of the remembered state and the
 * request. Callers serialize check-then-commit per stream.
 */
public sealed interface ProducerCheck {

    /** Append and then remember {@code (epoch, seq)}. */
    record Accept() implements ProducerCheck {}

    /** Already applied: answer 204 with the highest accepted seq and write nothing. */
    record Duplicate(long epoch, long lastSeq) implements ProducerCheck {}

    /** 403: an older epoch was fenced by a newer one. */
    record StaleEpoch(long currentEpoch) implements ProducerCheck {}

    /** 400: a new epoch must start at seq 0. */
    record BadEpochStart() implements ProducerCheck {}

    /** 409: a seq arrived before the ones preceding it. */
    record Gap(long expected, long received) implements ProducerCheck {}

    Accept ACCEPT = new Accept();

    static ProducerCheck evaluate(ProducerState state, Producer request) {
        if (state == null) {
            return request.seq() == 0 ? ACCEPT : new Gap(0, request.seq());
        }
        if (request.epoch() < state.epoch()) return new StaleEpoch(state.epoch());
        if (request.epoch() > state.epoch()) {
            return request.seq() == 0 ? ACCEPT : new BadEpochStart();
        }
        if (request.seq() <= state.lastSeq()) return new Duplicate(state.epoch(), state.lastSeq());
        if (request.seq() == state.lastSeq() + 1) return ACCEPT;
        return new Gap(state.lastSeq() + 1, request.seq());
    }
}
