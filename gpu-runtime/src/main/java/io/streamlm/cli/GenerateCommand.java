package io.streamlm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.Backend;
import io.streamlm.backend.Backends;
import io.streamlm.engine.ChatMessage;
import io.streamlm.engine.SamplingParams;
import io.streamlm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/** {@code ./streamlm generate}: one prompt, text streamed to stdout, speeds on stderr. */
final class GenerateCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The KV cache is sized for prompt + max tokens up front; this bounds it (0.8B: ~0.8 GB). */
    static final int MAX_NEW_TOKENS = 32_768;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "generate text for one prompt, streamed, with prompt and decode tokens/s";
    }

    @Override
    public String usage() {
        return """
                usage: ./streamlm generate --model DIR (--prompt TEXT | --messages JSON) [flags]

                Streams the generated text to stdout; ends with one JSON line on stderr: finish reason, token
                counts, prompt_tokens_per_s and decode_tokens_per_s (and the seed, to replay a sampled run).

                  --model DIR               checkpoint directory (config.json, safetensors, tokenizer.json)
                  --prompt TEXT             raw prompt text (no chat template)
                  --messages JSON           chat turns, e.g. '[{"role":"user","content":"Hi"}]', rendered with the
                                            checkpoint's chat template plus the assistant generation prompt
                  --max-tokens N            new tokens at most (default 128, at most 32768)
                  --temperature T           0 = greedy (default 0)
                  --top-k K                 keep the K most likely tokens (default: all)
                  --top-p P                 nucleus mass in (0, 1] (default 1)
                  --min-p P                 drop tokens below P * p(top), in [0, 1) (default 0)
                  --repetition-penalty R    > 0, 1 = off (HF: over prompt and output tokens)
                  --presence-penalty P      OpenAI-style, over output tokens (default 0)
                  --frequency-penalty F     OpenAI-style, over output tokens (default 0)
                  --seed S                  sampling seed (default: random, printed at the end)
                  --stop STRING             stop string, excluded from the output; repeat the flag for more
                  --stop-token-ids 1,2      extra stop token ids (the tokenizer's eos ids always stop)
                  --ignore-eos              do not stop at the tokenizer's eos ids
                  --logprobs                also print each chosen token's id and logprob (JSON line on stderr)
                  --threads N               CPU threads (default: all cores)
                  --backend NAME            cpu (default), cuda (GPU bf16), cuda-f32 (GPU f32) or auto (GPU if usable)
                """;
    }

    @Override
    public Set<String> switches() {
        return Set.of("logprobs", "ignore-eos");
    }

    @Override
    public int run(Args args) throws Exception {
        Path modelDir = args.requirePath("model");
        Optional<String> prompt = args.string("prompt");
        Optional<String> messages = args.string("messages");
        if (prompt.isPresent() == messages.isPresent()) {
            throw new UsageException("give exactly one of --prompt and --messages");
        }
        List<ChatMessage> chat = messages.isPresent() ? parseMessages(messages.get()) : List.of();
        SamplingParams params = samplingParams(args);
        boolean ignoreEos = args.flag("ignore-eos");
        int numThreads = args.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String backendName = args.string("backend").orElse("cpu");
        args.finish();
        if (!Backends.NAMES.contains(backendName)) {
            throw new UsageException("--backend: unknown backend '" + backendName + "', expected one of " + Backends.NAMES);
        }

        Tokenizer tokenizer = Tokenizer.load(modelDir);
        String text = prompt.orElseGet(() -> tokenizer.renderChat(chat, true));
        int[] promptTokens = tokenizer.encode(text);
        if (promptTokens.length == 0) {
            throw new UsageException("the prompt encodes to no tokens");
        }
        List<Integer> stopIds = new ArrayList<>(params.stopTokenIds());
        if (!ignoreEos) {
            stopIds.addAll(tokenizer.eosTokenIds());
        }
        try (Backend backend = Backends.open(modelDir, backendName, numThreads)) {
            TextGenerator generator = new TextGenerator(backend, tokenizer, args.out());
            TextGenerator.Summary s = generator.generate(promptTokens, params, stopIds);
            args.out().println();
            args.out().flush();
            if (params.logprobs()) {
                args.err().println(s.tokensJson());
            }
            args.err().println(s.toJson(params.seed().orElseThrow()));
        }
        return 0;
    }

    private static SamplingParams samplingParams(Args args) {
        int maxTokens = args.integer("max-tokens", 128, 1, MAX_NEW_TOKENS);
        double temperature = bounded(args, "temperature", 0, 0, Double.MAX_VALUE, true);
        OptionalInt topK = args.integer("top-k").map(k -> {
            if (k < 1) {
                throw new UsageException("--top-k must be >= 1, got " + k);
            }
            return OptionalInt.of(k);
        }).orElse(OptionalInt.empty());
        double topP = bounded(args, "top-p", 1, 0, 1, false);
        double minP = args.number("min-p").orElse(0.0);
        if (minP < 0 || minP >= 1) {
            throw new UsageException("--min-p must be in [0, 1), got " + minP);
        }
        double repetition = bounded(args, "repetition-penalty", 1, 0, Double.MAX_VALUE, false);
        double presence = args.number("presence-penalty").orElse(0.0);
        double frequency = args.number("frequency-penalty").orElse(0.0);
        long seed = args.longValue("seed").orElseGet(() -> new SplittableRandom().nextLong());
        List<String> stops = args.strings("stop");
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new UsageException("--stop must not be empty");
            }
        }
        List<Integer> stopIds = new ArrayList<>();
        for (int id : args.intList("stop-token-ids").orElse(new int[0])) {
            if (id < 0) {
                throw new UsageException("--stop-token-ids must be >= 0, got " + id);
            }
            stopIds.add(id);
        }
        boolean logprobs = args.flag("logprobs");
        return new SamplingParams(temperature, topK, topP, minP, repetition, presence, frequency,
                OptionalLong.of(seed), maxTokens, stopIds, stops, logprobs);
    }

    /** A number flag in (min, max], or [min, max] when minInclusive. */
    private static double bounded(Args args, String name, double def, double min, double max, boolean minInclusive) {
        double v = args.number(name).orElse(def);
        boolean ok = (minInclusive ? v >= min : v > min) && v <= max;
        if (!ok) {
            String range = max == Double.MAX_VALUE
                    ? (minInclusive ? ">= " : "> ") + fmt(min)
                    : "in " + (minInclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + "]";
            throw new UsageException("--" + name + " must be " + range + ", got " + v);
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static List<ChatMessage> parseMessages(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UsageException("--messages is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new UsageException("--messages must be a non-empty JSON array of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode m = root.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw new UsageException("--messages[" + i + "] needs string fields \"role\" and \"content\", got " + m);
            }
            try {
                out.add(new ChatMessage(role.asText(), content.asText()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--messages[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }
}
