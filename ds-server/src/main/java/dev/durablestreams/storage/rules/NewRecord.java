package dev.durablestreams.storage.rules;

/** One record a decision writes: {@code bytes} stored at stream offset {@code offset}. */
public record NewRecord(long offset, byte[] bytes) {}
