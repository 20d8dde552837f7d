package io.streamlm.cli;

import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.model.ModelConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./streamlm logits}: the conformance contract of {@code ../shared/conformance/README.md}. Prints one
 * JSON object {@code {"argmax": [...], "last_logits": [...], "greedy_continuation": [...]}} computed on the CPU
 * backend, positions from 0, no BOS, token ids as given.
 *
 * <p>The prompt runs as one prefill chunk (the chunked Gated DeltaNet path) for {@code last_logits} and the
 * greedy continuation (cached, one token per step, as Hugging Face decodes). The backend returns only the last
 * position of a chunk, so the argmax of the earlier positions comes from a second sequence fed token by token
 * (the recurrent path): both paths are thereby held to the golden numbers.
 */
final class LogitsCommand implements Command {
    private static final int BLOCK_SIZE = 16;
    private static final int MAX_GENERATE = 1 << 16;
    private final PrintStream out;

    LogitsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "logits";
    }

    @Override
    public String summary() {
        return "print argmax per position, last logits and a greedy continuation as JSON (conformance)";
    }

    @Override
    public String usage() {
        return """
                usage: ./streamlm logits --model DIR --tokens ID,ID,... [--generate N] [--threads N]

                  --model DIR     Hugging Face checkpoint directory (config.json + safetensors)
                  --tokens LIST   comma-separated prompt token ids (no BOS is added)
                  --generate N    also greedy-decode N tokens (default 0)
                  --threads N     compute threads (default: all cores)

                Prints one JSON object: {"argmax": [...], "last_logits": [...], "greedy_continuation": [...]}""";
    }

    @Override
    public int run(Args args) {
        Path dir = args.requirePath("model");
        int[] tokens = args.intList("tokens").orElseThrow(() -> new UsageException("missing required flag --tokens"));
        int numGenerate = args.integer("generate", 0, 0, MAX_GENERATE);
        int numThreads = args.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        args.finish();
        ModelConfig config = ModelConfig.load(dir);
        checkTokens(tokens, config, dir);
        try (CpuBackend backend = CpuBackend.load(dir, numThreads)) {
            Result r = compute(backend, tokens, numGenerate);
            out.println(toJson(r, numGenerate > 0));
        }
        return 0;
    }

    private static void checkTokens(int[] tokens, ModelConfig config, Path dir) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("--tokens: id " + tokens[i] + " at position " + i
                        + " is outside the vocabulary [0, " + config.vocabSize() + ") of " + dir);
            }
        }
    }

    record Result(int[] argmax, float[] lastLogits, int[] continuation) {}

    static Result compute(CpuBackend backend, int[] tokens, int numGenerate) {
        int numPositions = tokens.length + numGenerate;
        int blocksPerSeq = (numPositions + BLOCK_SIZE - 1) / BLOCK_SIZE;
        backend.allocateCaches(new CacheLayout(2 * blocksPerSeq, BLOCK_SIZE, 2));
        int[] prefillTable = blockRange(0, blocksPerSeq);   // [blocksPerSeq] block ids of sequence 0
        int[] stepTable = blockRange(blocksPerSeq, blocksPerSeq); // [blocksPerSeq] block ids of sequence 1
        backend.resetState(0);
        backend.resetState(1);

        float[] logits = backend.forward(List.of(new SeqChunk(tokens, 0, prefillTable, 0, true)))[0];
        float[] lastLogits = logits.clone();
        int[] argmax = new int[tokens.length];
        for (int p = 0; p + 1 < tokens.length; p++) {
            float[] row = backend.forward(List.of(new SeqChunk(new int[] {tokens[p]}, p, stepTable, 1, true)))[0];
            argmax[p] = argmax(row);
        }
        argmax[tokens.length - 1] = argmax(lastLogits);

        int[] continuation = new int[numGenerate];
        for (int i = 0; i < numGenerate; i++) {
            continuation[i] = argmax(logits);
            if (i + 1 < numGenerate) {
                SeqChunk step = new SeqChunk(new int[] {continuation[i]}, tokens.length + i, prefillTable, 0, true);
                logits = backend.forward(List.of(step))[0];
            }
        }
        return new Result(argmax, lastLogits, continuation);
    }

    private static int[] blockRange(int first, int count) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
        }
        return ids;
    }

    /** First index of the maximum, as numpy's argmax; a NaN logit is an error, not a silent winner. */
    static int argmax(float[] v) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                throw new IllegalStateException("the model produced NaN logits (token " + i + ")");
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static String toJson(Result r, boolean withContinuation) {
        StringBuilder sb = new StringBuilder(32 + r.lastLogits().length * 14);
        sb.append("{\"argmax\":");
        appendInts(sb, r.argmax());
        sb.append(",\"last_logits\":[");
        for (int i = 0; i < r.lastLogits().length; i++) {
            float v = r.lastLogits()[i];
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("the model produced a non-finite logit " + v + " (token " + i + ")");
            }
            sb.append(i == 0 ? "" : ",").append(Float.toString(v)); // shortest repr that round-trips the float
        }
        sb.append(']');
        if (withContinuation) {
            sb.append(",\"greedy_continuation\":");
            appendInts(sb, r.continuation());
        }
        return sb.append('}').toString();
    }

    private static void appendInts(StringBuilder sb, int[] v) {
        sb.append('[');
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        sb.append(']');
    }
}
