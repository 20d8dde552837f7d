package io.streamlm.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.cpu.SharedFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The shared conformance tools ({@code ../shared/conformance/reference}), run with python3 + numpy: they write
 * checkpoints and compute the float64 golden numbers, so no expected number comes from the code under test.
 * A machine without python3 or numpy fails these tests with a message saying so; it never skips them.
 */
final class Reference {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 300;

    private Reference() {}

    /** {@code conformance/} of the shared fixtures directory (see {@link SharedFixtures#sharedDir}). */
    static Path conformanceDir() {
        Path dir = SharedFixtures.sharedDir().resolve("conformance");
        if (!Files.isDirectory(dir.resolve("reference"))) {
            fail(dir + " has no reference/ tools: the conformance fixtures are missing");
        }
        return dir;
    }

    static Path referenceDir() {
        return conformanceDir().resolve("reference");
    }

    /** Runs {@code make_checkpoint.py --out dir flags...}. */
    static void makeCheckpoint(Path dir, List<String> flags) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-B", referenceDir().resolve("make_checkpoint.py").toString(),
                "--out", dir.toString()));
        cmd.addAll(flags);
        python(cmd);
    }

    /**
     * Golden numbers in golden.json's prompt format for random prompts of {@code promptLengths} (numpy
     * default_rng({@code seed})) on the checkpoint in {@code dir}; when {@code makeFlags} is present, first writes
     * that checkpoint with make_checkpoint.py and those flags, in the same python process.
     */
    static JsonNode golden(Path dir, int[] promptLengths, long seed, int numGenerate, Optional<List<String>> makeFlags) {
        Path script = extractScript();
        try {
            List<String> cmd = new ArrayList<>(List.of("python3", "-B", script.toString(), referenceDir().toString(),
                    dir.toString(), Integer.toString(numGenerate),
                    Arrays.stream(promptLengths).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                    Long.toString(seed)));
            if (makeFlags.isPresent()) {
                cmd.add(JSON.writeValueAsString(makeFlags.get()));
            }
            return JSON.readTree(python(cmd));
        } catch (IOException e) {
            throw new AssertionError("reference output is not JSON: " + e.getMessage(), e);
        }
    }

    private static Path extractScript() {
        try (InputStream in = Reference.class.getResourceAsStream("/conformance/reference_golden.py")) {
            if (in == null) {
                throw new AssertionError("test resource conformance/reference_golden.py missing");
            }
            Path script = Path.of("target", "conformance", "reference_golden.py").toAbsolutePath();
            Files.createDirectories(script.getParent());
            Files.write(script, in.readAllBytes());
            return script;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a python command and returns its stdout; fails the test with its stderr when it fails. */
    static String python(List<String> cmd) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new AssertionError("python3 (with numpy) is required to compute the conformance goldens but could "
                    + "not be started: " + e.getMessage(), e);
        }
        try {
            byte[] errBytes;
            String out;
            var err = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread drain = new Thread(() -> {
                try {
                    err.complete(p.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    err.complete(new byte[0]);
                }
            });
            drain.start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + cmd);
            }
            drain.join();
            errBytes = err.join();
            if (p.exitValue() != 0) {
                String stderr = new String(errBytes, StandardCharsets.UTF_8);
                String hint = stderr.contains("No module named 'numpy'")
                        ? "python3 has no numpy; the conformance goldens need python3 + numpy. " : "";
                throw new AssertionError(hint + "command failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + stderr);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
