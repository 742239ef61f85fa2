package dev.durablestreams.storage.postgres;

import dev.durablestreams.storage.rules.StreamMeta;

/**
 * One row of the {@code streams} table.
 *
 * @param sourcePath the path of the stream this one forks, or {@code null}
 * @param depth forks between this stream and the root of its chain
 */
record StreamRow(StreamMeta meta, String sourcePath, int depth) {
    String path() {
        return meta.path();
    }

    long id() {
        return meta.id();
    }
}
