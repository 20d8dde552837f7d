package io.streamlm.operators.enrichment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The prompt templates requests may name, loaded once when the job is built (so a bad file fails the
 * submission, not a running job) and shipped with the job graph.
 *
 * <p>File format (JSON): {@code {"templates": [{"id": "triage-v1", "text": "You are ... {{ticket}} ..."}]}}.
 */
public final class TemplateRegistry implements Serializable {
    private final Map<String, PromptTemplate> templates;

    public TemplateRegistry(Collection<PromptTemplate> templates) {
        Map<String, PromptTemplate> m = new LinkedHashMap<>();
        for (PromptTemplate t : templates) {
            if (m.put(t.id(), t) != null) {
                throw new IllegalArgumentException("template id '" + t.id() + "' is defined twice");
            }
        }
        this.templates = m;
    }

    public static TemplateRegistry empty() {
        return new TemplateRegistry(List.of());
    }

    public static TemplateRegistry load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads a registry from a class-path resource (the demo's built-in templates). */
    public static TemplateRegistry loadResource(String resource) {
        try (InputStream in = TemplateRegistry.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("template resource " + resource + " not found on the class path");
            }
            return parse(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template resource " + resource, e);
        }
    }

    static TemplateRegistry parse(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("template file " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("templates");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("template file " + source + " must be an object with a \"templates\" array");
        }
        java.util.ArrayList<PromptTemplate> out = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            JsonNode id = t.get("id");
            JsonNode text = t.get("text");
            if (id == null || !id.isTextual() || text == null || !text.isTextual()) {
                throw new IllegalArgumentException("template file " + source + ": templates[" + i
                        + "] needs string fields \"id\" and \"text\"");
            }
            out.add(new PromptTemplate(id.asText(), text.asText()));
        }
        return new TemplateRegistry(out);
    }

    public Optional<PromptTemplate> find(String id) {
        return Optional.ofNullable(templates.get(id));
    }

    public Collection<PromptTemplate> all() {
        return templates.values();
    }
}
