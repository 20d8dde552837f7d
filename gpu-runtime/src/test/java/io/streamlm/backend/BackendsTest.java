package io.streamlm.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.cpu.SharedFixtures;
import io.streamlm.backend.cuda.CudaException;
import io.streamlm.backend.cuda.CudaProbe;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Backend selection: auto falls back to the CPU with the probe's reason; cuda without a GPU fails clearly. */
class BackendsTest {
    private static final Path TINY_A = SharedFixtures.sharedDir().resolve("conformance/tiny-a");

    @Test
    void autoPicksWhatTheProbeAllows() {
        Backends.Choice c = Backends.resolve("auto");
        assertEquals(CudaProbe.available() ? "cuda" : "cpu", c.kind());
        assertTrue(c.reason().contains(CudaProbe.describe()), c.reason());
        try (Backend b = Backends.open(TINY_A, "auto", 1)) {
            assertEquals(c.kind(), b.name());
            assertEquals(512, b.config().vocabSize());
        }
    }

    @Test
    void explicitChoicesAndBadNames() {
        try (Backend b = Backends.open(TINY_A, "cpu", 1)) {
            assertEquals("cpu", b.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.resolve("gpu"));
        assertTrue(e.getMessage().contains("[auto, cpu, cuda, cuda-f32]"), e.getMessage());
        if (!CudaProbe.available()) {
            CudaException ce = assertThrows(CudaException.class, () -> Backends.open(TINY_A, "cuda", 1));
            assertTrue(ce.getMessage().contains("cannot run here"), ce.getMessage());
        }
    }
}
