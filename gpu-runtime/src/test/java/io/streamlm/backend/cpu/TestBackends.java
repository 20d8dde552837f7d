package io.streamlm.backend.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Test bridge for other packages: a CPU backend over a checkpoint directory, read by the test loader. */
public final class TestBackends {
    private TestBackends() {}

    public static CpuBackend load(Path dir, int numThreads) {
        try {
            return CpuBackend.create(TestCheckpoints.load(dir), numThreads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared directory ({@code ../shared} of the repository root). */
    public static Path sharedDir() {
        return TestCheckpoints.sharedDir();
    }
}
