package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Philox4x32-10 known-answer vectors (Random123 kat_vectors), so the host twin and the kernel share a spec. */
class PhiloxTest {

    @Test
    void knownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, Philox.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void uniformDependsOnSeedAndStepOnly() {
        assertEquals(Philox.uniform(7, 3), Philox.uniform(7, 3));
        assertNotEquals(Philox.uniform(7, 3), Philox.uniform(7, 4));
        assertNotEquals(Philox.uniform(7, 3), Philox.uniform(8, 3));
        double sum = 0;
        for (int i = 0; i < 100_000; i++) {
            float u = Philox.uniform(42, i);
            if (u < 0 || u >= 1) {
                throw new AssertionError("uniform out of [0, 1): " + u);
            }
            sum += u;
        }
        assertEquals(0.5, sum / 100_000, 0.005);
    }
}
