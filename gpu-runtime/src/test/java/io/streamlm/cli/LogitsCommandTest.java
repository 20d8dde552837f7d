package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.cpu.SharedFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error side of the logits contract: one clear line on stderr, a non-zero exit, nothing on stdout. */
class LogitsCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void withoutGenerateThereIsNoContinuation() throws IOException {
        assertEquals(0, run("logits", "--model", tinyA().toString(), "--tokens", "5,17,3", "--threads", "1"));
        JsonNode n = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(3, n.get("argmax").size());
        assertEquals(512, n.get("last_logits").size());
        assertFalse(n.has("greedy_continuation"));
    }

    @Test
    void missingCheckpoint() {
        assertFails(1, "config.json", "logits", "--model", tmp.resolve("none").toString(), "--tokens", "1");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path dir = tmp.resolve("broken");
        Files.createDirectories(dir);
        Files.copy(tinyA().resolve("config.json"), dir.resolve("config.json"));
        byte[] st = Files.readAllBytes(tinyA().resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(st, st.length / 2));
        assertFails(1, "model.safetensors", "logits", "--model", dir.toString(), "--tokens", "1");
    }

    @Test
    void tokenOutsideVocabulary() {
        assertFails(1, "512", "logits", "--model", tinyA().toString(), "--tokens", "1,512");
        assertFails(1, "-3", "logits", "--model", tinyA().toString(), "--tokens", "-3");
    }

    @Test
    void malformedFlags() {
        assertFails(2, "--tokens", "logits", "--model", tinyA().toString(), "--tokens", "1,x");
        assertFails(2, "--tokens", "logits", "--model", tinyA().toString());
        assertFails(2, "--bogus", "logits", "--model", tinyA().toString(), "--tokens", "1", "--bogus", "2");
        assertFails(2, "--generate", "logits", "--model", tinyA().toString(), "--tokens", "1", "--generate", "-1");
    }

    private void assertFails(int rc, String mentions, String... argv) {
        out.reset();
        err.reset();
        int got = run(argv);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(rc, got, "exit code; stderr: " + e);
        assertNotEquals(0, got);
        assertTrue(e.lines().findFirst().orElse("").contains(mentions), "first stderr line should name " + mentions
                + ": " + e);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
    }

    private int run(String... argv) {
        return Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path tinyA() {
        return SharedFixtures.sharedDir().resolve("conformance/tiny-a");
    }
}
