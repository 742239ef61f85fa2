package dev.durablestreams.protocol;

/** What a stream remembers of one producer: its current epoch and the highest accepted seq. */
public record ProducerState(long epoch, long lastSeq) {}
