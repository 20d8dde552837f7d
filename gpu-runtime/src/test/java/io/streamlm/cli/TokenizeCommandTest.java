package io.streamlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.tokenizer.SyntheticTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void encodesChatMessagesAndDecodesIdsBack() throws Exception {
        SyntheticTokenizer.write(512, dir);
        JsonNode encoded = run("tokenize", "--model", dir.toString(), "--messages", "[{\"role\":\"user\",\"content\":\"Hi 🎉\"}]");
        assertEquals("<|im_start|>user\nHi 🎉<|im_end|>\n<|im_start|>assistant\n<think>\n", encoded.path("text").asText());
        assertEquals(508, encoded.path("ids").get(0).asInt()); // <|im_start|>: special tokens sit at the top ids
        StringBuilder ids = new StringBuilder();
        encoded.path("ids").forEach(id -> ids.append(ids.length() == 0 ? "" : ",").append(id.asInt()));
        assertEquals(encoded.path("text").asText(), run("tokenize", "--model", dir.toString(), "--ids", ids.toString()).path("text").asText());
    }

    @Test
    void badMessagesGetAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> GenerateCommand.parseMessages("[{\"role\":\"robot\",\"content\":\"x\"}]"));
        assertTrue(e.getMessage().contains("--messages[0]"), e.getMessage());
        assertThrows(UsageException.class, () -> GenerateCommand.parseMessages("not json"));
        assertThrows(UsageException.class, () -> GenerateCommand.parseMessages("[]"));
    }

    private static JsonNode run(String... argv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
}
