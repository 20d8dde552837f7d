package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.cpu.SharedFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchDecodeCommandTest {

    private static Path tinyA() {
        return SharedFixtures.sharedDir().resolve("conformance/tiny-a");
    }

    @Test
    void lastStdoutLineIsJsonWithTheFigures() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new BenchDecodeCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of("decode", "--model", tinyA().toString(),
                "--prompt-tokens", "70", "--new-tokens", "5", "--threads", "2"), System.out, System.err);
        assertEquals(0, rc);
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(70, json.get("prompt_tokens").asInt());
        assertEquals(5, json.get("new_tokens").asInt());
        assertEquals(2, json.get("threads").asInt());
        assertTrue(json.get("prefill_tokens_per_s").asDouble() > 0);
        assertTrue(json.get("decode_tokens_per_s").asDouble() > 0);
        assertTrue(json.get("weight_bytes").asLong() > 0);
        assertTrue(json.get("model").asText().endsWith("tiny-a"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("prefill:"));
    }

    @Test
    void missingBenchmarkNameOrUnknownFlagIsAUsageError() {
        BenchDecodeCommand cmd = new BenchDecodeCommand(System.out, System.err);
        assertThrows(UsageException.class, () -> cmd.run(List.of("--model", "x"), System.out, System.err));
        assertThrows(UsageException.class, () -> cmd.run(List.of("decode", "--model", tinyA().toString(), "--bogus", "1"), System.out, System.err));
        assertThrows(UsageException.class, () -> cmd.run(List.of("decode", "--model", tinyA().toString(), "--threads", "0"), System.out, System.err));
    }
}
