package io.streamlm.cli;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.engine.FinishReason;
import io.streamlm.engine.Sampler;
import io.streamlm.engine.SamplingParams;
import io.streamlm.tokenizer.StopStringMatcher;
import io.streamlm.tokenizer.StreamDecoder;
import io.streamlm.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The single-sequence generation loop behind {@code ./streamlm generate}: prefill in chunks, then one
 * token per step, text streamed as soon as it is safe to show (whole UTF-8 characters, no partial stop
 * string). Stops at a stop token (not shown), a stop string (not shown), max tokens or the context length.
 */
final class TextGenerator {
    static final int BLOCK_SIZE = 16;
    /** Prefill chunk: bounds activation memory for long prompts. */
    static final int PREFILL_CHUNK = 512;

    /** How a generation went; nanos are wall times of the forward passes and sampling. */
    record Summary(FinishReason finishReason, int numPromptTokens, List<Integer> tokens, List<Float> logprobs,
            long prefillNanos, int numDecodeSteps, long decodeNanos) {

        String toJson(long seed) {
            double prefillRate = numPromptTokens / (prefillNanos / 1e9);
            String decodeRate = numDecodeSteps() == 0 ? "null"
                    : String.format(Locale.ROOT, "%.2f", numDecodeSteps() / (decodeNanos / 1e9));
            return String.format(Locale.ROOT, "{\"finish_reason\": \"%s\", \"prompt_tokens\": %d, "
                    + "\"completion_tokens\": %d, \"prompt_tokens_per_s\": %.2f, \"decode_tokens_per_s\": %s, "
                    + "\"seed\": %d}", finishReason.name().toLowerCase(Locale.ROOT), numPromptTokens, tokens.size(),
                    prefillRate, decodeRate, seed);
        }

        String tokensJson() {
            StringBuilder ids = new StringBuilder();
            StringBuilder lps = new StringBuilder();
            for (int i = 0; i < tokens.size(); i++) {
                ids.append(i == 0 ? "" : ", ").append(tokens.get(i));
                lps.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", logprobs.get(i)));
            }
            return "{\"token_ids\": [" + ids + "], \"logprobs\": [" + lps + "]}";
        }
    }

    private final Backend backend;
    private final Tokenizer tokenizer;
    private final PrintStream out;

    TextGenerator(Backend backend, Tokenizer tokenizer, PrintStream out) {
        this.backend = backend;
        this.tokenizer = tokenizer;
        this.out = out;
    }

    /**
     * @param stopTokenIds ids that end generation (the engine-independent union of the request's and eos)
     */
    Summary generate(int[] promptTokens, SamplingParams params, List<Integer> stopTokenIds) {
        int maxPositions = backend.config().maxPositionEmbeddings();
        if (promptTokens.length >= maxPositions) {
            throw new IllegalArgumentException("prompt of " + promptTokens.length + " tokens leaves no room in the "
                    + "context of " + maxPositions);
        }
        int maxTokens = Math.min(params.maxTokens(), maxPositions - promptTokens.length);
        int numBlocks = (promptTokens.length + maxTokens + BLOCK_SIZE - 1) / BLOCK_SIZE;
        backend.allocateCaches(new CacheLayout(numBlocks, BLOCK_SIZE, 1));
        int[] blockTable = new int[numBlocks]; // [numBlocks], position p lives in block p / BLOCK_SIZE
        for (int i = 0; i < numBlocks; i++) {
            blockTable[i] = i;
        }
        warmUp(blockTable);
        Sampler sampler = new Sampler(params, params.seed().orElse(0L), promptTokens);
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        StopStringMatcher matcher = new StopStringMatcher(params.stopStrings());

        long start = System.nanoTime();
        float[] logits = prefill(promptTokens, blockTable);
        long prefillNanos = System.nanoTime() - start;
        List<Integer> tokens = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        FinishReason reason = FinishReason.LENGTH;
        long decodeStart = System.nanoTime();
        int pos = promptTokens.length;
        int numDecodeSteps = 0; // one-token forward passes (the first token comes from the prefill's logits)
        while (true) {
            Sampler.Choice c = sampler.next(logits);
            if (stopTokenIds.contains(c.tokenId())) {
                reason = FinishReason.STOP;
                break;
            }
            tokens.add(c.tokenId());
            logprobs.add(c.logprob());
            StopStringMatcher.Step step = matcher.feed(decoder.feed(c.tokenId()));
            emit(step.text());
            if (step.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (tokens.size() >= maxTokens) {
                break;
            }
            logits = backend.forward(List.of(new SeqChunk(new int[] {c.tokenId()}, pos++, blockTable, 0, true)))[0];
            numDecodeSteps++;
        }
        if (!matcher.stopped()) {
            StopStringMatcher.Step tail = matcher.feed(decoder.flush());
            emit(tail.text());
            if (tail.stopped()) {
                reason = FinishReason.STOP;
            } else {
                emit(matcher.flush());
            }
        }
        long decodeNanos = System.nanoTime() - decodeStart;
        return new Summary(reason, promptTokens.length, tokens, logprobs, prefillNanos, numDecodeSteps,
                decodeNanos);
    }

    /**
     * One throwaway token so the timed figures do not include thread start-up and the first JIT pass (as
     * llama-bench runs a warm-up); the state slot is reset afterwards and the KV it wrote is overwritten.
     */
    private void warmUp(int[] blockTable) {
        backend.resetState(0);
        backend.forward(List.of(new SeqChunk(new int[] {0}, 0, blockTable, 0, true)));
        backend.resetState(0);
    }

    private float[] prefill(int[] promptTokens, int[] blockTable) {
        float[] logits = null;
        for (int from = 0; from < promptTokens.length; from += PREFILL_CHUNK) {
            int to = Math.min(promptTokens.length, from + PREFILL_CHUNK);
            int[] chunk = java.util.Arrays.copyOfRange(promptTokens, from, to);
            boolean last = to == promptTokens.length;
            float[][] rows = backend.forward(List.of(new SeqChunk(chunk, from, blockTable, 0, last)));
            if (last) {
                logits = rows[0];
            }
        }
        return logits;
    }

    private void emit(String text) {
        if (!text.isEmpty()) {
            out.print(text);
            out.flush();
        }
    }
}
