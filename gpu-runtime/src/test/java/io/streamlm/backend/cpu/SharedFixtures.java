package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;

/** Public door to this package's test fixtures for other backends' tests (the CUDA backend's oracle). */
public final class SharedFixtures {
    private SharedFixtures() {}

    /** The shared directory beside the repository (conformance fixtures). */
    public static Path sharedDir() {
        return TestCheckpoints.sharedDir();
    }

    /** A single-file checkpoint read by the test reader (until the project's ModelLoader is merged). */
    public static ModelWeights load(Path dir) throws IOException {
        return TestCheckpoints.load(dir);
    }

    /** Random weights at {@code c}'s shapes. */
    public static ModelWeights random(ModelConfig c, DType dtype, long seed) {
        return TestModels.random(c, dtype, seed);
    }
}
