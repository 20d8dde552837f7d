package io.streamlm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelPreset;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo's engine caches follow the model it serves (fixed tiny-model sizes gave 0% prefix hits at 0.8B). */
class DemoCachesTest {

    private static final long MIB = 1L << 20;

    @Test
    void sizedForEveryRunningRequestAndSeveralSnapshotsAtTheRealShape() {
        ModelConfig c = ModelPreset.fromCliName("qwen3.5-0.8b").orElseThrow().toConfig();
        DemoOptions o = new DemoOptions(32, 16, 2, Optional.empty(), Duration.ofMinutes(5),
                Optional.of(new DemoOptions.Workload(1000, 50)), 8, false);
        long blocks = DemoMain.kvCacheMb(o, c) * MIB / CpuBackend.kvBlockBytesFor(c, 16);
        assertTrue(blocks >= 8 * ((1000 + 50 + 16 + 15) / 16), blocks + " KV blocks for 8 running requests");
        long snapshots = DemoMain.stateCacheMb(c) * MIB / CpuBackend.stateSlotBytesFor(c);
        assertTrue(snapshots >= 8, snapshots + " state snapshots");
    }

    @Test
    void theTinyDefaultHoldsItsMixedWorkloadAndTheMinimums() {
        ModelConfig c = ModelPreset.fromCliName("tiny").orElseThrow().toConfig();
        DemoOptions o = new DemoOptions(64, 16, 2, Optional.empty(), Duration.ofMinutes(5), Optional.empty(), 64, false);
        long blocks = DemoMain.kvCacheMb(o, c) * MIB / CpuBackend.kvBlockBytesFor(c, 16);
        assertTrue(DemoMain.kvCacheMb(o, c) >= 64);
        assertTrue(blocks >= 64 * ((512 + 16 + 15) / 16), blocks + " KV blocks for 64 running requests");
        assertEquals(32, DemoMain.stateCacheMb(c)); // 8 tiny snapshots are far below the 32 MiB floor
    }
}
