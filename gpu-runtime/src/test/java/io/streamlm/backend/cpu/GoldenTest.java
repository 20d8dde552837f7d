package io.streamlm.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** tiny-a's golden.json (Hugging Face's numbers, from the float64 reference): argmax, last logits, greedy. */
class GoldenTest {

    @Test
    void tinyAMatchesGolden() throws Exception {
        Path dir = sharedDir().resolve("conformance/tiny-a");
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        try (CpuBackend b = CpuBackend.load(dir, 2)) {
            b.allocateCaches(new CacheLayout(64, 16, 2));
            for (JsonNode prompt : golden.get("prompts")) {
                int[] tokens = ints(prompt.get("token_ids"));
                int[] argmax = ints(prompt.get("argmax"));
                int[] table = new int[64];
                for (int i = 0; i < table.length; i++) {
                    table[i] = 63 - i;
                }
                // argmax at every position: feed token by token, then check the whole prompt in one chunk
                b.resetState(0);
                int[] got = new int[tokens.length];
                float[] last = null;
                for (int i = 0; i < tokens.length; i++) {
                    last = b.forward(List.of(new SeqChunk(new int[] {tokens[i]}, i, table, 0, true)))[0];
                    got[i] = argmax(last);
                }
                assertArrayEquals(argmax, got, "argmax per position");
                b.resetState(1);
                float[] whole = b.forward(List.of(new SeqChunk(tokens, 0, table, 1, true)))[0];
                float[] want = floats(prompt.get("last_logits"));
                double maxDiff = 0;
                for (int i = 0; i < want.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.max(Math.abs(want[i] - whole[i]), Math.abs(want[i] - last[i])));
                }
                assertTrue(maxDiff <= 1e-3, "max |last_logits - golden| = " + maxDiff);
                int[] cont = ints(prompt.get("greedy_continuation"));
                int[] gen = new int[cont.length];
                float[] logits = whole;
                for (int i = 0; i < cont.length; i++) {
                    gen[i] = argmax(logits);
                    logits = b.forward(List.of(new SeqChunk(new int[] {gen[i]}, tokens.length + i, table, 1, true)))[0];
                }
                assertArrayEquals(cont, gen, "greedy continuation");
                System.out.printf("tiny-a prompt of %d tokens: max |logit diff| %.3g%n", tokens.length, maxDiff);
            }
        }
    }

    /** The shared fixtures directory (see {@link SharedFixtures#sharedDir}). */
    static Path sharedDir() {
        return SharedFixtures.sharedDir();
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    private static float[] floats(JsonNode n) {
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }
}
