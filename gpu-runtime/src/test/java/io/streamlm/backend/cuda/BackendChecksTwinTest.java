package io.streamlm.backend.cuda;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole-backend GPU checks with the twin in the GPU's seat, on the small model (the twin is a plain
 * Java port): the checks run and pass everywhere, so the GPU run tests the kernels, not the checks.
 */
class BackendChecksTwinTest {

    @Test
    void conformanceFixturesInF32Mode() throws Exception {
        BackendChecks.conformanceFixturesInF32Mode(BackendChecks.TWIN);
    }

    @Test
    void f32ModeMatchesCpuBackend() {
        BackendChecks.f32ModeMatchesCpuBackend(BackendChecks.TWIN, List.of(TwinForwardTest.smallConfig()));
    }

    @Test
    void bf16FastPathErrorAndGreedyAgreement() {
        BackendChecks.bf16FastPathErrorAndGreedyAgreement(BackendChecks.TWIN, TwinForwardTest.smallConfig(), 16);
    }

    @Test
    void dummyWeightsAndDeviceSamplingMatchTheTwin() {
        BackendChecks.dummyWeightsAndDeviceSamplingMatchTheTwin(BackendChecks.TWIN, TwinForwardTest.smallConfig());
    }

    @Test
    void stateSnapshotsOnTheDevice() {
        BackendChecks.stateSnapshotsOnTheDevice(BackendChecks.TWIN, TwinForwardTest.smallConfig());
    }
}
