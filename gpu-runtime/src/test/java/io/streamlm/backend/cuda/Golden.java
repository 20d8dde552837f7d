package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import java.nio.file.Path;
import java.util.List;

/** The conformance bar of ../shared/conformance/README.md applied to any backend. */
final class Golden {
    private Golden() {}

    /** Every argmax equal, max |last_logits - golden| <= tol, every greedy token equal; returns the max diff. */
    static double check(Backend b, Path dir, double tol) throws Exception {
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        b.allocateCaches(new CacheLayout(64, 16, 2));
        int[] table = new int[64];
        for (int i = 0; i < table.length; i++) {
            table[i] = 63 - i;
        }
        double worst = 0;
        for (JsonNode prompt : golden.get("prompts")) {
            int[] tokens = ints(prompt.get("token_ids"));
            b.resetState(0);
            int[] got = new int[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                got[i] = argmax(b.forward(List.of(new SeqChunk(new int[] {tokens[i]}, i, table, 0, true)))[0]);
            }
            assertArrayEquals(ints(prompt.get("argmax")), got, "argmax per position");
            b.resetState(1);
            float[] logits = b.forward(List.of(new SeqChunk(tokens, 0, table, 1, true)))[0];
            JsonNode want = prompt.get("last_logits");
            for (int i = 0; i < want.size(); i++) {
                worst = Math.max(worst, Math.abs(want.get(i).asDouble() - logits[i]));
                assertTrue(!Float.isNaN(logits[i]), "NaN logit at " + i);
            }
            assertTrue(worst <= tol, "max |last_logits - golden| = " + worst);
            int[] cont = ints(prompt.get("greedy_continuation"));
            int[] gen = new int[cont.length];
            for (int i = 0; i < cont.length; i++) {
                gen[i] = argmax(logits);
                logits = b.forward(List.of(new SeqChunk(new int[] {gen[i]}, tokens.length + i, table, 1, true)))[0];
            }
            assertArrayEquals(cont, gen, "greedy continuation");
        }
        return worst;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}
