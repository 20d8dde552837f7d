package io.streamlm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlm.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Runs {@code streamlm logits} through the CLI entry point (the contract itself) and holds its output to the
 * bar of ../shared/conformance/README.md: every argmax equal, max |last_logits - golden| <= 1e-3, every greedy
 * continuation token equal.
 */
final class LogitsContract {
    static final double MAX_ABS_LOGIT_DIFF = 1e-3;

    private LogitsContract() {}

    /** What a run measured, for the test log. */
    record Outcome(int numTokens, double maxAbsDiff) {}

    /** Checks one golden prompt record ({@code token_ids}, {@code argmax}, {@code last_logits}, ...). */
    static Outcome check(String label, Path ckpt, JsonNode golden) {
        int[] tokens = ints(golden.get("token_ids"));
        int[] wantCont = ints(golden.get("greedy_continuation"));
        JsonNode got = runLogits(ckpt, tokens, wantCont.length);
        String what = label + " (" + tokens.length + " tokens" + margins(golden) + ")";

        int[] wantArgmax = ints(golden.get("argmax"));
        int[] gotArgmax = ints(got.get("argmax"));
        if (!Arrays.equals(wantArgmax, gotArgmax)) {
            int i = 0;
            while (i < Math.min(wantArgmax.length, gotArgmax.length) && wantArgmax[i] == gotArgmax[i]) {
                i++;
            }
            fail(what + ": argmax differs first at position " + i + "\n want " + Arrays.toString(wantArgmax)
                    + "\n got  " + Arrays.toString(gotArgmax));
        }
        JsonNode want = golden.get("last_logits");
        JsonNode have = got.get("last_logits");
        assertEquals(want.size(), have.size(), what + ": last_logits length (vocab)");
        double maxDiff = 0;
        int worst = 0;
        for (int i = 0; i < want.size(); i++) {
            double d = Math.abs(want.get(i).asDouble() - have.get(i).asDouble());
            if (!(d <= maxDiff)) { // NaN counts as worst
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        assertTrue(maxDiff <= MAX_ABS_LOGIT_DIFF, what + ": max |last_logits - golden| = " + maxDiff + " at token "
                + worst + " (bar " + MAX_ABS_LOGIT_DIFF + ")");
        int[] gotCont = got.has("greedy_continuation") ? ints(got.get("greedy_continuation")) : new int[0];
        if (!Arrays.equals(wantCont, gotCont)) {
            fail(what + ": greedy continuation differs\n want " + Arrays.toString(wantCont) + "\n got  "
                    + Arrays.toString(gotCont));
        }
        return new Outcome(tokens.length, maxDiff);
    }

    /** {@code streamlm logits --model ckpt --tokens ... --generate n}: exit 0 and one JSON object on stdout. */
    static JsonNode runLogits(Path ckpt, int[] tokens, int numGenerate) {
        String csv = Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new String[] {"logits", "--model", ckpt.toString(), "--tokens", csv, "--generate",
                Integer.toString(numGenerate), "--threads", "2"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        if (rc != 0) {
            fail("streamlm logits exited " + rc + " on " + ckpt + ": " + err.toString(StandardCharsets.UTF_8));
        }
        assertEquals(1, stdout.strip().lines().count(), "logits prints exactly one line of JSON");
        try {
            JsonNode n = Reference.JSON.readTree(stdout);
            assertTrue(n.isObject() && n.has("argmax") && n.has("last_logits"), "contract keys missing: " + stdout);
            return n;
        } catch (IOException e) {
            throw new AssertionError("streamlm logits printed invalid JSON: " + e.getMessage(), e);
        }
    }

    private static String margins(JsonNode golden) {
        JsonNode p = golden.get("min_top2_margin_prompt");
        JsonNode c = golden.get("min_top2_margin_continuation");
        return (p == null || p.isNull() ? "" : ", min top-2 margin prompt " + p.asDouble())
                + (c == null || c.isNull() ? "" : " continuation " + c.asDouble());
    }

    static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}
