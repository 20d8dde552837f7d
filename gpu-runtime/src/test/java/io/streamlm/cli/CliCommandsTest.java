package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.model.DType;
import io.streamlm.model.ModelPreset;
import io.streamlm.model.RandomCheckpointWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make-model and generate through Main.run with captured streams: validation, then real runs on tiny. */
class CliCommandsTest {
    @TempDir
    static Path dir;
    static Path model;

    record Result(int code, String out, String err) {
        /** The last stderr line (generate's summary), parsed. */
        JsonNode summary() throws IOException {
            String[] lines = err.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    @BeforeAll
    static void makeModel() throws IOException {
        model = dir.resolve("tiny");
        RandomCheckpointWriter.write(ModelPreset.TINY, model, DType.BF16, 0);
    }

    static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(Result r, String expectedMessage) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expectedMessage), r.err());
        assertTrue(r.err().contains("usage: ./streamlm"), "usage printed: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void generateRejectsUnknownFlagsAndBadValuesNamingTheFlag() {
        String m = model.toString();
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--temprature", "1"), "unknown flag --temprature");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--temperature", "warm"),
                "--temperature must be a number, got 'warm'");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--temperature", "-1"), "--temperature must be >= 0");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--top-p", "1.5"), "--top-p must be in (0, 1]");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--top-k", "0"), "--top-k must be >= 1");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--min-p", "1"), "--min-p must be in [0, 1)");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--max-tokens", "ten"),
                "--max-tokens must be an integer, got 'ten'");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--max-tokens", "0"), "--max-tokens must be between");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--repetition-penalty", "0"),
                "--repetition-penalty must be > 0");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--seed", "1.5"), "--seed must be an integer");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--stop-token-ids", "1,x"),
                "--stop-token-ids must be an integer, got 'x'");
        assertUsageError(run("generate", "--model", m, "--prompt", "hi", "--prompt", "again"), "--prompt given twice");
        assertUsageError(run("generate", "--model", m), "give exactly one of --prompt and --messages");
        assertUsageError(run("generate", "--prompt", "hi"), "missing required flag --model");
        assertUsageError(run("generate", "--model", m, "--messages", "[{\"role\":\"user\"}]"),
                "--messages[0] needs string fields");
        assertUsageError(run("generate", "--model", m, "--messages", "[{\"role\":\"robot\",\"content\":\"x\"}]"),
                "chat role must be system, user or assistant");
        assertUsageError(run("generate", "--model", m, "--messages", "{not json"), "--messages is not valid JSON");
    }

    @Test
    void makeModelRejectsBadValues() {
        assertUsageError(run("make-model", "--preset", "qwen9", "--out", dir.resolve("x").toString()),
                "--preset must be one of tiny|qwen3.5-0.8b|qwen3.6-27b, got 'qwen9'");
        assertUsageError(run("make-model", "--preset", "tiny", "--out", "x", "--dtype", "fp8"), "--dtype must be bf16 or f32");
        assertUsageError(run("make-model", "--preset", "tiny", "--out", "x", "--layout", "flat"),
                "--layout must be conditional or causal");
        assertUsageError(run("make-model", "--preset", "tiny", "--out", "x", "--bogus", "1"), "unknown flag --bogus");
        assertUsageError(run("make-model", "--preset", "tiny"), "missing required flag --out");
    }

    @Test
    void makeModelDryRunPrintsThePlanAndWritesNothing() throws IOException {
        Path out = dir.resolve("dry");
        Result r = run("make-model", "--preset", "qwen3.6-27b", "--out", out.toString(), "--dry-run");
        assertEquals(0, r.code(), r.err());
        JsonNode plan = new ObjectMapper().readTree(r.out().strip());
        assertEquals("qwen3.6-27b", plan.get("preset").asText());
        assertTrue(plan.get("num_weight_files").asInt() > 1);
        assertTrue(plan.get("tensor_bytes").asLong() > 50_000_000_000L);
        assertFalse(Files.exists(out));
    }

    @Test
    void missingModelIsAOneLineErrorWithExitCodeOne() {
        Result r = run("generate", "--model", dir.resolve("nope").toString(), "--prompt", "hi");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("streamlm generate: error: "), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
    }

    @Test
    void greedyGenerationStreamsTextAndReportsSpeeds() throws IOException {
        Result r = run("generate", "--model", model.toString(), "--prompt", "The quick brown fox", "--max-tokens", "12",
                "--ignore-eos", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isBlank());
        JsonNode s = r.summary();
        assertEquals("length", s.get("finish_reason").asText());
        assertEquals(12, s.get("completion_tokens").asInt());
        assertTrue(s.get("prompt_tokens").asInt() > 0);
        assertTrue(s.get("prompt_tokens_per_s").asDouble() > 0);
        assertTrue(s.get("decode_tokens_per_s").asDouble() > 0);
        // greedy is deterministic
        assertEquals(r.out(), run("generate", "--model", model.toString(), "--prompt", "The quick brown fox",
                "--max-tokens", "12", "--ignore-eos").out());
    }

    @Test
    void stopStringEndsGenerationAndIsNotShown() throws IOException {
        String[] base = {"generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "24",
            "--ignore-eos"};
        String full = run(base).out().stripTrailing();
        assertTrue(full.length() >= 6, "need some text: '" + full + "'");
        String stop = full.substring(3, 5);
        int at = full.indexOf(stop);
        Result r = run(concat(base, "--stop", "zzzz-never", "--stop", stop));
        assertEquals(0, r.code(), r.err());
        assertEquals(full.substring(0, at) + "\n", r.out()); // the text before the stop, then generate's newline
        assertEquals("stop", r.summary().get("finish_reason").asText());
    }

    @Test
    void stopTokenIdEndsGenerationBeforeTheToken() throws IOException {
        String[] base = {"generate", "--model", model.toString(), "--prompt", "abc", "--max-tokens", "4", "--ignore-eos",
            "--logprobs"};
        Result first = run(base);
        String[] lines = first.err().strip().split("\n");
        JsonNode toks = new ObjectMapper().readTree(lines[lines.length - 2]);
        int firstToken = toks.get("token_ids").get(0).asInt();
        assertTrue(toks.get("logprobs").get(0).asDouble() < 0);
        Result r = run(concat(base, "--stop-token-ids", Integer.toString(firstToken)));
        assertEquals("stop", r.summary().get("finish_reason").asText());
        assertEquals(0, r.summary().get("completion_tokens").asInt());
    }

    @Test
    void seededSamplingReplaysAndChatMessagesWork() throws IOException {
        String[] base = {"generate", "--model", model.toString(), "--messages",
            "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello\"}]",
            "--max-tokens", "16", "--temperature", "1.0", "--top-k", "50", "--ignore-eos"};
        Result a = run(concat(base, "--seed", "11"));
        Result b = run(concat(base, "--seed", "11"));
        Result c = run(concat(base, "--seed", "12"));
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertEquals(11, a.summary().get("seed").asLong());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
