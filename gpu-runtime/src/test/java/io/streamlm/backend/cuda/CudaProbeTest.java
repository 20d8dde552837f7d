package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The probe never throws, answers once, and explains itself; opening the backend without a GPU fails clearly. */
class CudaProbeTest {

    @Test
    void answersOnceWithAReason() {
        Optional<String> first = CudaProbe.reason();
        assertSame(first, CudaProbe.reason(), "the answer is cached, not re-probed (the 2nd JCuda call would be NoClassDefFoundError)");
        assertEquals(first.isEmpty(), CudaProbe.available());
        if (first.isPresent()) {
            assertFalse(first.get().isBlank());
            assertTrue(CudaProbe.describe().startsWith("cuda unavailable: "), CudaProbe.describe());
            System.out.println("probe: " + CudaProbe.describe());
        } else {
            assertEquals("cuda available", CudaProbe.describe());
        }
    }

    @Test
    void openingWithoutAGpuNamesTheReason() {
        if (CudaProbe.available()) {
            return; // covered by the gpu-tagged tests
        }
        CudaException e = assertThrows(CudaException.class, CudaDevice::open);
        assertTrue(e.getMessage().contains(CudaProbe.reason().orElseThrow()), e.getMessage());
    }
}
