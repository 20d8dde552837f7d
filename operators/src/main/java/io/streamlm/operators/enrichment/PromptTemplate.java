package io.streamlm.operators.enrichment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with {@code {{variable}}} placeholders filled from an event's fields. Everything before the
 * first placeholder is the template's fixed part: identical for every request rendered from it, so it is
 * the request's declared shared prefix (the engine caches it once and every later request reuses it).
 */
public record PromptTemplate(String id, String text) implements Serializable {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    public PromptTemplate {
        Objects.requireNonNull(id, "template id");
        Objects.requireNonNull(text, "template text");
        if (id.isBlank()) {
            throw new IllegalArgumentException("template id must not be blank");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("template '" + id + "' has empty text");
        }
    }

    /** The text before the first placeholder: the shared prefix. */
    public String fixedPart() {
        Matcher m = PLACEHOLDER.matcher(text);
        return m.find() ? text.substring(0, m.start()) : text;
    }

    /** The placeholder names in order of appearance. */
    public List<String> variables() {
        List<String> names = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!names.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * Fills the placeholders.
     *
     * @throws MissingVariableException when the event lacks a variable the template uses
     */
    public Rendered render(Map<String, String> variables) {
        String fixed = fixedPart();
        String tail = text.substring(fixed.length());
        Matcher m = PLACEHOLDER.matcher(tail);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            if (value == null) {
                throw new MissingVariableException(id, m.group(1), variables.keySet());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return new Rendered(fixed, sb.toString());
    }

    /** A rendered prompt: the shared fixed part, then the request's own part. */
    public record Rendered(String sharedPrefix, String rest) {
        public String full() {
            return sharedPrefix + rest;
        }
    }

    /** The event does not carry a variable the template needs. */
    public static final class MissingVariableException extends IllegalArgumentException {
        public MissingVariableException(String templateId, String variable, java.util.Set<String> given) {
            super("template '" + templateId + "' needs variable '" + variable + "' but the request carries only " + given);
        }
    }
}
