package io.streamlm.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
