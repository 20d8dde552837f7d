package io.streamlm.engine;

import io.streamlm.backend.SeqChunk;
import java.util.List;
import java.util.OptionalInt;

/**
 * What one engine step computes, decided by the {@link Scheduler}; immutable. The model runner executes it
 * in this order: state resets, state copies (snapshot -> sequence), KV block copies (copy-on-write of a
 * snapshot's partial block), one batched forward over {@code chunks}, snapshot copies (sequence -> snapshot).
 *
 * @param chunks          one per scheduled request, decodes first
 * @param stateResets     sequence slots that start from position 0
 * @param stateCopies     snapshot slot -> sequence slot, for requests resuming from a snapshot
 * @param kvBlockCopies   snapshot's partial block -> the sequence's private copy
 * @param snapshotCopies  sequence slot -> snapshot slot, after the forward
 */
record StepPlan(
        List<Scheduled> chunks,
        List<Integer> stateResets,
        List<Copy> stateCopies,
        List<Copy> kvBlockCopies,
        List<Copy> snapshotCopies) {

    /** One request's share of the step; {@code snapshotSlot} is set when its state is snapshotted after it. */
    record Scheduled(Request request, SeqChunk chunk, OptionalInt snapshotSlot) {}

    /** A copy from one slot or block id to another. */
    record Copy(int src, int dst) {}

    StepPlan {
        chunks = List.copyOf(chunks);
        stateResets = List.copyOf(stateResets);
        stateCopies = List.copyOf(stateCopies);
        kvBlockCopies = List.copyOf(kvBlockCopies);
        snapshotCopies = List.copyOf(snapshotCopies);
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }

    int numScheduledTokens() {
        return chunks.stream().mapToInt(c -> c.chunk().numTokens()).sum();
    }
}
