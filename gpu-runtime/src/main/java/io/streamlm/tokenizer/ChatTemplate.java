package io.streamlm.tokenizer;

import io.streamlm.engine.ChatMessage;
import java.util.List;
import java.util.Optional;

/**
 * The Qwen ChatML prompt for plain system/user/assistant turns, as the checkpoint's Jinja chat template
 * renders it (no Jinja engine: the two template families are implemented and picked by a marker in the
 * template text). Both render with the templates' defaults: {@code enable_thinking} and
 * {@code preserve_thinking} undefined.
 *
 * <ul>
 *   <li>{@link Flavor#QWEN3_5} (Qwen3.5 / Qwen3.6, also what {@link SyntheticTokenizer} writes): contents are
 *       trimmed, the generation prompt opens a thinking block ({@code <|im_start|>assistant\n<think>\n}),
 *       assistant turns after the last user query carry a {@code <think>...</think>} block, a user turn is
 *       required and a system turn may only come first.</li>
 *   <li>{@link Flavor#QWEN3} (Qwen3, the npm tokenizer): contents verbatim, the generation prompt is
 *       {@code <|im_start|>assistant\n}, only the final assistant turn (or one with reasoning) after the last
 *       query gets the think block.</li>
 * </ul>
 */
final class ChatTemplate {
    enum Flavor { QWEN3, QWEN3_5 }

    private static final String START = "<|im_start|>";
    private static final String END = "<|im_end|>\n";

    private ChatTemplate() {}

    /**
     * The flavor of a chat_template text (none given: Qwen3.5); Qwen3.5's opens a thinking block in its
     * generation prompt. Empty for a template that is not Qwen ChatML.
     */
    static Optional<Flavor> detect(String template) {
        if (template == null || template.contains("'<think>\\n' }}")) {
            return Optional.of(Flavor.QWEN3_5);
        }
        return template.contains(START) ? Optional.of(Flavor.QWEN3) : Optional.empty();
    }

    static String render(Flavor flavor, List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("chat has no messages");
        }
        String prompt = flavor == Flavor.QWEN3_5 ? renderQwen35(messages) : renderQwen3(messages);
        if (!addGenerationPrompt) {
            return prompt;
        }
        return prompt + START + "assistant\n" + (flavor == Flavor.QWEN3_5 ? "<think>\n" : "");
    }

    private static String renderQwen35(List<ChatMessage> messages) {
        int lastQuery = lastQueryIndex(messages, true);
        if (lastQuery < 0) {
            throw new IllegalArgumentException("chat has no user message (the Qwen3.5 template requires one)");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String content = PyStr.strip(m.content());
            switch (m.role()) {
                case "system" -> {
                    if (i != 0) {
                        throw new IllegalArgumentException("chat message " + i + ": a system message must come first");
                    }
                    sb.append(START).append("system\n").append(content).append(END);
                }
                case "user" -> sb.append(START).append("user\n").append(content).append(END);
                default -> {
                    String reasoning = "";
                    if (content.contains("</think>")) {
                        reasoning = reasoningOf(content);
                        content = PyStr.lstrip(afterLast(content, "</think>"), '\n');
                    }
                    reasoning = PyStr.strip(reasoning);
                    sb.append(START).append("assistant\n");
                    if (i > lastQuery) {
                        sb.append("<think>\n").append(reasoning).append("\n</think>\n\n");
                    }
                    sb.append(content).append(END);
                }
            }
        }
        return sb.toString();
    }

    private static String renderQwen3(List<ChatMessage> messages) {
        int lastQuery = lastQueryIndex(messages, false);
        if (lastQuery < 0) {
            lastQuery = messages.size() - 1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("system") && i == 0) {
                sb.append(START).append("system\n").append(m.content()).append(END);
            } else if (!m.role().equals("assistant")) {
                sb.append(START).append(m.role()).append('\n').append(m.content()).append(END);
            } else {
                String content = m.content();
                String reasoning = "";
                if (content.contains("</think>")) {
                    reasoning = reasoningOf(content);
                    content = PyStr.lstrip(afterLast(content, "</think>"), '\n');
                }
                sb.append(START).append("assistant\n");
                boolean last = i == messages.size() - 1;
                if (i > lastQuery && (last || !reasoning.isEmpty())) {
                    sb.append("<think>\n").append(PyStr.strip(reasoning, '\n')).append("\n</think>\n\n")
                            .append(PyStr.lstrip(content, '\n'));
                } else {
                    sb.append(content);
                }
                sb.append(END);
            }
        }
        return sb.toString();
    }

    /** Index of the last user turn that is not a wrapped tool response, or -1. */
    private static int lastQueryIndex(List<ChatMessage> messages, boolean stripContent) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (!m.role().equals("user")) {
                continue;
            }
            String c = stripContent ? PyStr.strip(m.content()) : m.content();
            if (!(c.startsWith("<tool_response>") && c.endsWith("</tool_response>"))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n')} */
    private static String reasoningOf(String content) {
        String before = PyStr.rstrip(content.substring(0, content.indexOf("</think>")), '\n');
        return PyStr.lstrip(afterLast(before, "<think>"), '\n');
    }

    /** {@code s.split(sep)[-1]} */
    private static String afterLast(String s, String sep) {
        int at = s.lastIndexOf(sep);
        return at < 0 ? s : s.substring(at + sep.length());
    }
}
