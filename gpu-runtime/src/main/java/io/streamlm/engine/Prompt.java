package io.streamlm.engine;

import java.util.List;

/** What a request asks the model to continue: token ids, plain text, or chat messages. */
public sealed interface Prompt {

    /** Token ids used as given (no BOS added). */
    record Tokens(int[] ids) implements Prompt {
        public Tokens {
            if (ids.length == 0) {
                throw new IllegalArgumentException("prompt has no tokens");
            }
        }
    }

    /** Text, encoded with the model's tokenizer. */
    record Text(String text) implements Prompt {
        public Text {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("prompt text is empty");
            }
        }
    }

    /** Chat messages, rendered with the model's chat format and an open assistant turn. */
    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("chat prompt has no messages");
            }
        }
    }
}
