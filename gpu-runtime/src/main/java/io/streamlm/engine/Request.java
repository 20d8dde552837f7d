package io.streamlm.engine;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One request's scheduling state: its tokens (prompt, then output), how many are computed, its KV blocks,
 * its state slot and its place in the prefix-cache hash chain. The status and memory fields are changed
 * by the {@link Scheduler} only (on the engine thread); {@link #cancelRequested} may be set from any thread.
 */
final class Request {
    final String id;
    final String tenant;
    final int priority;
    final long arrivalSeq;
    final Optional<Instant> deadline;
    final int numPromptTokens;
    final int maxTokens;
    final Set<Integer> stopTokenIds;
    final OptionalInt sharedPrefixTokens;
    final TokenChooser sampler;
    /** The engine's per-request output side (listener, decoder, handle). */
    final Object attachment;

    private int[] tokens;  // [capacity] prompt then output; the first numTokens are valid
    private int numTokens;
    int numComputedTokens;
    RequestStatus status = RequestStatus.WAITING;

    private int[] blocks = new int[4]; // [capacity] KV block ids in position order; the first numBlocks valid
    int numBlocks;
    OptionalInt stateSlot = OptionalInt.empty();

    private long[] keys;    // [1 + capacity / blockSize] chain hashes; keys[j] covers the first j blocks
    private int numKeys;
    long[] chainSerials = new long[4]; // [numChainBlocks] prefix-cache serial of each registered block level
    int numChainBlocks;
    boolean chainBroken;

    int[] snapshotPositions = new int[0]; // ascending prompt positions where this request snapshots its state
    int nextSnapshot;

    int numCachedPromptTokens;
    boolean admittedOnce;
    int numPreemptions;
    volatile boolean cancelRequested;
    Optional<String> errorMessage = Optional.empty();
    final float[] logprobs;       // [maxTokens] when requested
    final boolean wantLogprobs;

    Request(String id, GenerationRequest req, int[] promptTokens, Set<Integer> stopTokenIds, TokenChooser sampler,
            long arrivalSeq, Object attachment) {
        this.id = id;
        this.tenant = req.tenant();
        this.priority = req.priority();
        this.deadline = req.deadline();
        this.arrivalSeq = arrivalSeq;
        this.numPromptTokens = promptTokens.length;
        this.maxTokens = req.sampling().maxTokens();
        this.stopTokenIds = Set.copyOf(stopTokenIds);
        this.sharedPrefixTokens = req.sharedPrefixTokens();
        this.sampler = sampler;
        this.attachment = attachment;
        this.tokens = Arrays.copyOf(promptTokens, promptTokens.length + Math.min(maxTokens, 64));
        this.numTokens = promptTokens.length;
        this.wantLogprobs = req.sampling().logprobs();
        this.logprobs = wantLogprobs ? new float[maxTokens] : new float[0];
    }

    int numTokens() {
        return numTokens;
    }

    int numOutputTokens() {
        return numTokens - numPromptTokens;
    }

    /** The backing array: the first {@link #numTokens()} entries are the sequence. */
    int[] tokenArray() {
        return tokens;
    }

    int token(int pos) {
        return tokens[pos];
    }

    int[] outputTokens() {
        return Arrays.copyOfRange(tokens, numPromptTokens, numTokens);
    }

    void appendToken(int token, float logprob) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        if (wantLogprobs) {
            logprobs[numOutputTokens()] = logprob;
        }
        tokens[numTokens++] = token;
    }

    int block(int index) {
        return blocks[index];
    }

    int[] blockTable() {
        return Arrays.copyOf(blocks, numBlocks);
    }

    void addBlock(int block) {
        if (numBlocks == blocks.length) {
            blocks = Arrays.copyOf(blocks, blocks.length * 2);
        }
        blocks[numBlocks++] = block;
    }

    void clearBlocks() {
        numBlocks = 0;
    }

    void addChainSerial(long serial) {
        if (numChainBlocks == chainSerials.length) {
            chainSerials = Arrays.copyOf(chainSerials, chainSerials.length * 2);
        }
        chainSerials[numChainBlocks++] = serial;
    }

    OptionalLong parentSerial(int level) {
        return level == 0 ? OptionalLong.empty() : OptionalLong.of(chainSerials[level - 1]);
    }

    /**
     * Chain hashes of the first {@code numFullBlocks} blocks: {@code keys[j]} covers blocks {@code 0..j-1}
     * ({@code keys[0]} is the tenant/model root). Computed once per block, as tokens become known.
     */
    long[] keys(PrefixHasher hasher, String modelId, int blockSize, int numFullBlocks) {
        if (keys == null) {
            keys = new long[1 + numFullBlocks];
            keys[0] = hasher.root(tenant, modelId);
            numKeys = 1;
        }
        if (keys.length < 1 + numFullBlocks) {
            keys = Arrays.copyOf(keys, 1 + numFullBlocks);
        }
        while (numKeys < 1 + numFullBlocks) {
            int j = numKeys - 1;
            keys[numKeys] = hasher.next(keys[numKeys - 1], tokens, j * blockSize, (j + 1) * blockSize);
            numKeys++;
        }
        return keys;
    }

    boolean isExpired(Instant now) {
        return deadline.isPresent() && !now.isBefore(deadline.get());
    }

    /** Scheduling order: higher priority first, then earlier arrival. */
    static int compareForScheduling(Request a, Request b) {
        if (a.priority != b.priority) {
            return Integer.compare(b.priority, a.priority);
        }
        return Long.compare(a.arrivalSeq, b.arrivalSeq);
    }
}
