package dev.durablestreams.storage.engine;

import dev.durablestreams.storage.memory.MemoryLog;

/** The storage contract on the heap backend. */
class MemoryStoreTest extends StreamStoreContract {
    @Override
    StreamLog openLog() {
        return new MemoryLog();
    }

    @Override
    boolean persistent() {
        return false;
    }
}
