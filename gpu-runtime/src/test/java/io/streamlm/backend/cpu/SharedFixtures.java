package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Public door to this package's test fixtures for other backends' tests (the CUDA backend's oracle). */
public final class SharedFixtures {
    private SharedFixtures() {}

    /**
     * The shared directory (conformance fixtures), the one place every test finds it: {@code $STREAMLM_SHARED}
     * when set, else {@code shared/} beside the repository root (the directory holding {@code .ci/}), as CI
     * provides it; for a clone made elsewhere (a temporary directory), {@code shared/} beside the local
     * repository it was cloned from. The first candidate is returned when none exists, so errors name it.
     */
    public static Path sharedDir() {
        String env = System.getenv("STREAMLM_SHARED");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve(".ci"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("no .ci directory above " + Path.of("").toAbsolutePath());
        }
        Path beside = root.getParent().resolve("shared");
        if (Files.isDirectory(beside)) {
            return beside;
        }
        return clonedFrom(root).map(o -> o.getParent().resolve("shared")).filter(Files::isDirectory).orElse(beside);
    }

    /** The local repository {@code root} was cloned from ({@code remote.origin.url} a path), if any. */
    private static Optional<Path> clonedFrom(Path root) {
        try {
            boolean origin = false;
            for (String line : Files.readAllLines(root.resolve(".git/config"))) {
                String t = line.trim();
                if (t.startsWith("[")) {
                    origin = t.equals("[remote \"origin\"]");
                } else if (origin && t.startsWith("url")) {
                    String url = t.substring(t.indexOf('=') + 1).trim().replaceFirst("^file://", "");
                    return url.startsWith("/") ? Optional.of(Path.of(url).toAbsolutePath().normalize())
                            : Optional.empty();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no readable git config: no origin to look beside
        }
        return Optional.empty();
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
