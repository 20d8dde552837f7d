package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;

/** Public door to this package's test fixtures for other backends' tests (the CUDA backend's oracle). */
public final class SharedFixtures {
    private SharedFixtures() {}

    /** The shared directory beside the repository (conformance fixtures): the parent of the dir holding .ci/. */
    public static Path sharedDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !java.nio.file.Files.isDirectory(p.resolve(".ci"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no .ci directory above " + Path.of("").toAbsolutePath());
        }
        return p.getParent().resolve("shared");
    }

    /** A checkpoint directory through the project's loader. */
    public static ModelWeights load(Path dir) throws IOException {
        return io.streamlm.model.ModelLoader.load(dir);
    }

    /** Random weights at {@code c}'s shapes. */
    public static ModelWeights random(ModelConfig c, DType dtype, long seed) {
        return TestModels.random(c, dtype, seed);
    }
}
