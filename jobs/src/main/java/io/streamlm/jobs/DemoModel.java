package io.streamlm.jobs;

import io.streamlm.model.DType;
import io.streamlm.model.ModelPreset;
import io.streamlm.model.RandomCheckpointWriter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The demo's model: the tiny random-weight preset, generated once into ~/.cache/streamlm/models and reused.
 * Written to a temporary directory and renamed into place, so a crash never leaves a half model behind.
 */
final class DemoModel {
    static final long SEED = 7;

    private DemoModel() {}

    static Path tiny() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "streamlm", "models");
        Path dir = cache.resolve("tiny-bf16-seed" + SEED);
        if (Files.exists(dir.resolve("config.json"))) {
            return dir;
        }
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, "tiny-writing-");
        RandomCheckpointWriter.write(ModelPreset.TINY, tmp, DType.BF16, SEED);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException raced) {
            deleteTree(tmp); // another process finished first: use its copy
        }
        return dir;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
