package dev.durablestreams.storage.engine;

import dev.durablestreams.storage.rocksdb.RocksLog;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the durable RocksDB backend, including restarts on the same directory. */
class RocksStoreTest extends EngineStoreContract {
    @TempDir
    Path dir;

    @Override
    StreamLog openLog() {
        return RocksLog.open(dir.resolve("db"), true);
    }

    @Override
    protected boolean persistent() {
        return true;
    }
}
