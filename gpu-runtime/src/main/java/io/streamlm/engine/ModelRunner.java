package io.streamlm.engine;

import io.streamlm.backend.Backend;
import io.streamlm.backend.SeqChunk;
import io.streamlm.engine.StepPlan.Copy;
import io.streamlm.engine.StepPlan.Scheduled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Executes a {@link StepPlan} on the backend: cache resets and copies, then ONE batched forward over every
 * scheduled chunk (so each weight is read once per step), then snapshot copies, then sampling with each
 * request's own sampler. Knows nothing about requests' lifecycles.
 */
final class ModelRunner {
    private final Backend backend;

    ModelRunner(Backend backend) {
        this.backend = backend;
    }

    /** @return per chunk of the plan, the sampled token when the chunk needed logits */
    List<Optional<SampledToken>> run(StepPlan plan) {
        for (int slot : plan.stateResets()) {
            backend.resetState(slot);
        }
        for (Copy c : plan.stateCopies()) {
            backend.copyState(c.src(), c.dst());
        }
        for (Copy c : plan.kvBlockCopies()) {
            if (c.src() != c.dst()) {
                backend.copyKvBlock(c.src(), c.dst());
            }
        }
        List<SeqChunk> chunks = new ArrayList<>(plan.chunks().size());
        for (Scheduled s : plan.chunks()) {
            chunks.add(s.chunk());
        }
        float[][] logits = backend.forward(chunks);
        // the state must be copied before the next step advances the sequence's slot
        for (Copy c : plan.snapshotCopies()) {
            backend.copyState(c.src(), c.dst());
        }
        List<Optional<SampledToken>> out = new ArrayList<>(chunks.size());
        int row = 0;
        for (Scheduled s : plan.chunks()) {
            if (s.chunk().needLogits()) {
                out.add(Optional.of(s.request().sampler.choose(logits[row++])));
            } else {
                out.add(Optional.empty());
            }
        }
        if (row != logits.length) {
            throw new IllegalStateException("backend " + backend.name() + " returned " + logits.length
                    + " logits rows for " + row + " chunks that need logits");
        }
        return out;
    }
}
