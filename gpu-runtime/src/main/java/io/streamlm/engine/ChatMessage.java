package io.streamlm.engine;

import java.util.Objects;

/** One turn of a chat: role is {@code system}, {@code user} or {@code assistant}. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
            throw new IllegalArgumentException("chat role must be system, user or assistant, got '" + role + "'");
        }
    }
}
