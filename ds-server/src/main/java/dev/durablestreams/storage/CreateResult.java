package dev.durablestreams.storage;

/** Outcome of a create: {@code created} is false for an idempotent re-create of the same configuration. */
public record CreateResult(boolean created, StreamInfo info) {}
