package dev.durablestreams.storage.engine;

import dev.durablestreams.storage.memory.MemoryLog;

/** The storage contract on the heap backend. */
class MemoryStoreTest extends EngineStoreContract {
    @Override
    StreamLog openLog() {
        return new MemoryLog();
    }

    @Override
    protected boolean persistent() {
        return false;
    }
}
