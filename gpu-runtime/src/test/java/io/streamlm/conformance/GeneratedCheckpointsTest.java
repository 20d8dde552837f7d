package io.streamlm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Checkpoints this test writes with the shared make_checkpoint.py into target/, in every variant the issue
 * names (the causal layout, F32, mixed dtypes, F16, shards, tied heads, grouped value heads, other head dims,
 * conv kernels, rotary fractions, rope thetas, an odd hidden size), with goldens from the float64 reference
 * (qwen35_ref.py) and prompts of 1 to 150 tokens: 9 is the CPU backend's shortest chunked-form prefill; 64, 65,
 * 129 and 150 sit on and across the delta rule's 64-token chunk boundaries.
 */
class GeneratedCheckpointsTest {
    private static final int NUM_GENERATE = 16;
    private static final Path ROOT = Path.of("target", "conformance", "generated").toAbsolutePath();

    /** One generated checkpoint: make_checkpoint.py flags and the prompt lengths to run on it. */
    record Case(String name, List<String> flags, int[] promptLengths, boolean rewriteToF16) {
        Case(String name, List<String> flags, int... promptLengths) {
            this(name, flags, promptLengths, false);
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("causal-f32", List.of("--layout", "causal", "--dtype", "F32", "--seed", "11"), 1, 9, 150),
                new Case("conditional-mixed-shards-mtp", List.of("--fp32-ssm-params", "--shards", "3", "--mtp",
                        "--seed", "12"), 5, 129),
                new Case("causal-tied", List.of("--layout", "causal", "--tie-embeddings", "--seed", "13"), 2, 90),
                new Case("grouped-value-heads", List.of("--linear-num-key-heads", "2", "--linear-num-value-heads", "4",
                        "--linear-key-head-dim", "8", "--linear-value-head-dim", "24", "--seed", "14"), 3, 64, 150),
                new Case("other-shapes", List.of("--hidden-size", "48", "--num-layers", "6",
                        "--full-attention-interval", "3", "--num-heads", "6", "--num-kv-heads", "2", "--head-dim", "16",
                        "--partial-rotary-factor", "0.5", "--rope-theta", "10000", "--conv-kernel", "3",
                        "--intermediate-size", "96", "--vocab-size", "300", "--linear-num-key-heads", "3",
                        "--linear-num-value-heads", "6", "--seed", "15"), 4, 65, 140),
                new Case("odd-sizes", List.of("--layout", "causal", "--hidden-size", "37", "--intermediate-size", "75",
                        "--head-dim", "24", "--num-heads", "3", "--num-kv-heads", "1", "--linear-key-head-dim", "12",
                        "--linear-value-head-dim", "20", "--linear-num-key-heads", "1", "--linear-num-value-heads",
                        "3", "--conv-kernel", "5", "--vocab-size", "333", "--partial-rotary-factor", "1.0",
                        "--rope-theta", "500000", "--seed", "16"), 7, 100),
                new Case("all-full-attention", List.of("--num-layers", "2", "--full-attention-interval", "1",
                        "--seed", "18"), 20),
                new Case("all-linear-loud-head", List.of("--layout", "causal", "--num-layers", "3",
                        "--full-attention-interval", "8", "--lm-head-gain", "8", "--norm-std", "0.3",
                        "--rms-norm-eps", "1e-5", "--seed", "19"), 70),
                new Case("f16-mixed", List.of("--layout", "causal", "--dtype", "F32", "--fp32-ssm-params", "--seed", "17"),
                        new int[] {6, 80}, true));
    }

    @TestFactory
    List<DynamicTest> generatedCheckpoints() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> run(c)));
        }
        return tests;
    }

    private static void run(Case c) throws IOException {
        Path dir = ROOT.resolve(c.name());
        deleteTree(dir);
        long seed = Math.abs((long) c.name().hashCode());
        JsonNode golden;
        if (c.rewriteToF16()) {
            Path f32 = ROOT.resolve(c.name() + "-source");
            deleteTree(f32);
            Reference.makeCheckpoint(f32, c.flags());
            // matrices and zero-centred norms in F16; A_log and the gated-norm weight stay F32 (mixed)
            F16Rewriter.rewrite(f32, dir, n -> !n.endsWith("A_log") && !n.endsWith("linear_attn.norm.weight"));
            golden = Reference.golden(dir, c.promptLengths(), seed, NUM_GENERATE, Optional.empty());
        } else {
            golden = Reference.golden(dir, c.promptLengths(), seed, NUM_GENERATE, Optional.of(c.flags()));
        }
        for (JsonNode prompt : golden.get("prompts")) {
            LogitsContract.Outcome o = LogitsContract.check(c.name(), dir, prompt);
            System.out.printf("conformance generated %s: %d tokens, max |logit diff| %.3g%n", c.name(),
                    o.numTokens(), o.maxAbsDiff());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
