package io.streamlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./streamlm tokenize}: the checkpoint's tokenizer from the command line, to inspect prompts (text or
 * chat messages to ids) and outputs (ids to text). Prints one JSON object.
 */
final class TokenizeCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String summary() {
        return "encode text or chat messages to token ids, or decode ids, with a checkpoint's tokenizer";
    }

    @Override
    public String usage() {
        return """
                usage: ./streamlm tokenize --model DIR (--text TEXT | --messages JSON [--no-generation-prompt] | --ids 1,2,3)
                  --model DIR              checkpoint directory holding tokenizer.json (and tokenizer_config.json)
                  --text TEXT              text to encode (special-token strings map to their ids)
                  --messages JSON          chat as [{"role":"system|user|assistant","content":"..."}], rendered
                                           with the checkpoint's chat template, then encoded
                  --no-generation-prompt   with --messages: do not append the assistant generation prompt
                  --ids LIST               comma-separated token ids to decode
                prints {"num_tokens", "ids", "text"} as one JSON line""";
    }

    @Override
    public Set<String> switches() {
        return Set.of("no-generation-prompt");
    }

    @Override
    public int run(Args args) throws Exception {
        var model = args.requirePath("model");
        var text = args.string("text");
        var messages = args.string("messages");
        var ids = args.intList("ids");
        boolean noGenerationPrompt = args.flag("no-generation-prompt");
        args.finish();
        int numInputs = (text.isPresent() ? 1 : 0) + (messages.isPresent() ? 1 : 0) + (ids.isPresent() ? 1 : 0);
        if (numInputs != 1) {
            throw new UsageException("give exactly one of --text, --messages, --ids");
        }
        Tokenizer tokenizer = Tokenizer.load(model);
        Map<String, Object> out = new LinkedHashMap<>();
        if (ids.isPresent()) {
            out.put("num_tokens", ids.get().length);
            out.put("ids", ids.get());
            out.put("text", tokenizer.decode(ids.get()));
        } else {
            String input = text.orElseGet(() -> tokenizer.renderChat(GenerateCommand.parseMessages(messages.get()), !noGenerationPrompt));
            int[] encoded = tokenizer.encode(input);
            out.put("num_tokens", encoded.length);
            out.put("ids", encoded);
            out.put("text", input);
        }
        args.out().println(JSON.writeValueAsString(out));
        return 0;
    }
}
