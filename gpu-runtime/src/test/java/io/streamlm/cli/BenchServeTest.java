package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.engine.EngineCheckpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchServeTest {
    private static final List<String> KEYS = List.of("requests", "prompt_tokens_computed", "prompt_tokens_cached",
            "output_tokens", "wall_seconds", "output_tokens_per_s", "total_tokens_per_s", "ttft_p50_ms", "ttft_p99_ms",
            "itl_p50_ms", "itl_p99_ms", "prefix_hit_rate", "preemptions");

    private static JsonNode run(String... extra) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> argv = new java.util.ArrayList<>(List.of("--model", EngineCheckpoints.tiny().toString(),
                "--requests", "12", "--prefix-tokens", "37", "--suffix-tokens", "5", "--max-tokens", "4",
                "--concurrency", "4", "--threads", "1", "--max-batch", "64"));
        argv.addAll(List.of(extra));
        int rc = BenchServe.run(new Args(argv, Set.of("no-prefix-cache")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, rc);
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String k : KEYS) {
            assertTrue(json.has(k), "missing key " + k + " in " + json);
        }
        return json;
    }

    @Test
    void sharedPrefixHitsFromTheSecondRequest() throws Exception {
        JsonNode json = run("--workload", "shared-prefix");
        assertEquals(12, json.get("requests").asInt());
        assertEquals(48, json.get("output_tokens").asInt());
        // requests that arrive while the first computes the prefix wait for its snapshot: all but one hit
        assertEquals(11 * 37, json.get("prompt_tokens_cached").asInt(), json.toString());
        assertEquals(12 * 42, json.get("prompt_tokens_computed").asInt() + json.get("prompt_tokens_cached").asInt());
    }

    @Test
    void noPrefixCacheComputesEverything() throws Exception {
        JsonNode json = run("--workload", "shared-prefix", "--no-prefix-cache");
        assertEquals(0, json.get("prompt_tokens_cached").asInt());
        assertEquals(12 * 42, json.get("prompt_tokens_computed").asInt());
        assertEquals(0.0, json.get("prefix_hit_rate").asDouble());
    }
}
