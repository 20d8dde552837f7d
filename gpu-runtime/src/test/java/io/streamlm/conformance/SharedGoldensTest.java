package io.streamlm.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code <checkpoint>/golden.json} under ../shared/conformance (tiny-a today, held-out ones later), each
 * prompt through {@code streamlm logits}, held to the bar.
 */
class SharedGoldensTest {

    @TestFactory
    List<DynamicTest> everySharedGolden() throws IOException {
        Path root = Reference.conformanceDir();
        List<Path> goldens;
        try (Stream<Path> s = Files.walk(root, 4)) {
            goldens = s.filter(p -> p.getFileName().toString().equals("golden.json")).sorted().toList();
        }
        assertFalse(goldens.isEmpty(), "no golden.json under " + root);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path g : goldens) {
            Path ckpt = g.getParent();
            JsonNode golden = Reference.JSON.readTree(g.toFile());
            for (JsonNode prompt : golden.get("prompts")) {
                String name = root.relativize(ckpt) + " " + prompt.path("name").asText("prompt");
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    LogitsContract.Outcome o = LogitsContract.check(name, ckpt, prompt);
                    System.out.printf("conformance %s: %d tokens, max |logit diff| %.3g%n", name, o.numTokens(),
                            o.maxAbsDiff());
                }));
            }
        }
        return tests;
    }

    /** The bar is not vacuous: a golden off by more than 1e-3 in one logit, one argmax or one token fails. */
    @Test
    void barRejectsPerturbedGoldens() throws IOException {
        Path ckpt = Reference.conformanceDir().resolve("tiny-a");
        JsonNode prompt = Reference.JSON.readTree(ckpt.resolve("golden.json").toFile()).get("prompts").get(0);
        LogitsContract.check("unperturbed", ckpt, prompt);

        ObjectNode logit = prompt.deepCopy();
        ArrayNode logits = (ArrayNode) logit.get("last_logits");
        logits.set(100, logits.get(100).asDouble() + 1.5e-3);
        assertThrows(AssertionFailedError.class, () -> LogitsContract.check("logit", ckpt, logit));

        ObjectNode argmax = prompt.deepCopy();
        ((ArrayNode) argmax.get("argmax")).set(0, (argmax.get("argmax").get(0).asInt() + 1) % 512);
        assertThrows(AssertionFailedError.class, () -> LogitsContract.check("argmax", ckpt, argmax));

        ObjectNode cont = prompt.deepCopy();
        ArrayNode c = (ArrayNode) cont.get("greedy_continuation");
        c.set(c.size() - 1, (c.get(c.size() - 1).asInt() + 1) % 512);
        assertThrows(AssertionFailedError.class, () -> LogitsContract.check("continuation", ckpt, cont));
    }
}
