package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.cpu.SharedFixtures;
import io.streamlm.backend.cuda.CudaProbe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code logits --backend}: auto runs where it can, a bad name is a usage error, cuda without a GPU says why. */
class LogitsBackendFlagTest {
    private static final String TINY_A = SharedFixtures.sharedDir().resolve("conformance/tiny-a").toString();

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String backend) {
        return Main.run(new String[] {"logits", "--model", TINY_A, "--tokens", "5,17,3", "--backend", backend},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void autoBadNameAndUnavailableGpu() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, "auto"), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("{\"argmax\":[323,190,256]"), out.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(2, run(new ByteArrayOutputStream(), err2, "gpu"));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("unknown backend 'gpu'"), err2.toString(StandardCharsets.UTF_8));
        if (!CudaProbe.available()) {
            ByteArrayOutputStream err3 = new ByteArrayOutputStream();
            assertEquals(1, run(new ByteArrayOutputStream(), err3, "cuda"));
            assertTrue(err3.toString(StandardCharsets.UTF_8).contains(CudaProbe.reason().orElseThrow()),
                    err3.toString(StandardCharsets.UTF_8));
        }
    }
}
