package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;

/**
 * Told about stream changes after they are durable. Called on the thread that completed the commit, so
 * implementations only record the event and return (they hand work to their own thread).
 */
public interface StreamListener {

    /** A stream was created (or its creation confirmed) with this tail; a create with data has a tail above zero. */
    void created(String path, Offset tail);

    /** An append (or close) to the stream is durable and its tail is now {@code tail}. */
    void advanced(String path, Offset tail);

    /** The stream was deleted. */
    void deleted(String path);
}
