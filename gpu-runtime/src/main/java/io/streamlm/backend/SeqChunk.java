package io.streamlm.backend;

/**
 * One sequence's share of a batched forward step: {@code tokens.length} new tokens at absolute positions
 * {@code startPos ..}. A decode step is a chunk of one token; a prefill chunk is any number.
 *
 * <p>Guaranteed by the caller (the engine's model runner): {@code blockTable} covers positions
 * {@code 0 .. startPos + tokens.length - 1} (block {@code p / blockSize} holds position {@code p}); KV of
 * positions {@code < startPos} is already written; {@code stateSlot} holds the Gated DeltaNet conv and
 * recurrent state after exactly {@code startPos} tokens (a zeroed slot when {@code startPos == 0}).
 *
 * @param tokens     token ids to compute, length >= 1
 * @param startPos   absolute position of {@code tokens[0]}
 * @param blockTable KV block ids of this sequence, in position order
 * @param stateSlot  recurrent-state slot id of this sequence
 * @param needLogits whether the last token's logits are wanted (false for non-final prefill chunks)
 */
public record SeqChunk(int[] tokens, int startPos, int[] blockTable, int stateSlot, boolean needLogits) {
    public SeqChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a chunk needs at least one token");
        }
        if (startPos < 0) {
            throw new IllegalArgumentException("startPos must be >= 0, got " + startPos);
        }
    }

    public int numTokens() {
        return tokens.length;
    }
}
