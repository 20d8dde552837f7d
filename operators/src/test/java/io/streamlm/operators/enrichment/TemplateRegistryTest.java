package io.streamlm.operators.enrichment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRegistryTest {

    @Test
    void fixedPartIsTheTextBeforeTheFirstVariable() {
        PromptTemplate t = new PromptTemplate("t", "System rules.\nTicket: {{ticket}} tier {{ tier }}.");
        assertEquals("System rules.\nTicket: ", t.fixedPart());
        assertEquals(List.of("ticket", "tier"), t.variables());
        PromptTemplate.Rendered r = t.render(Map.of("ticket", "card declined $5", "tier", "gold"));
        assertEquals("System rules.\nTicket: ", r.sharedPrefix());
        assertEquals("card declined $5 tier gold.", r.rest());
    }

    @Test
    void missingVariableNamesIt() {
        PromptTemplate t = new PromptTemplate("t", "X {{a}} {{b}}");
        var e = assertThrows(PromptTemplate.MissingVariableException.class, () -> t.render(Map.of("a", "1")));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void demoTemplatesLoad() {
        TemplateRegistry r = TemplateRegistry.loadResource("/io/streamlm/operators/enrichment/demo-templates.json");
        assertEquals(2, r.all().size());
        assertTrue(r.find("ticket-triage-v1").isPresent());
        assertTrue(r.find("nope").isEmpty());
    }

    @Test
    void badFilesFailWithTheirProblem() {
        var notJson = assertThrows(IllegalArgumentException.class, () -> parse("{"));
        assertTrue(notJson.getMessage().contains("not valid JSON"));
        var noArray = assertThrows(IllegalArgumentException.class, () -> parse("{\"x\":1}"));
        assertTrue(noArray.getMessage().contains("\"templates\" array"));
        var noText = assertThrows(IllegalArgumentException.class, () -> parse("{\"templates\":[{\"id\":\"a\"}]}"));
        assertTrue(noText.getMessage().contains("templates[0]"));
        var dup = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"templates\":[{\"id\":\"a\",\"text\":\"x\"},{\"id\":\"a\",\"text\":\"y\"}]}"));
        assertTrue(dup.getMessage().contains("defined twice"));
    }

    private static TemplateRegistry parse(String json) throws Exception {
        return TemplateRegistry.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }
}
