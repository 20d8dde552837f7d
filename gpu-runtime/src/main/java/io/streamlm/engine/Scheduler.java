package io.streamlm.engine;

import io.streamlm.backend.SeqChunk;
import io.streamlm.engine.StepPlan.Copy;
import io.streamlm.engine.StepPlan.Scheduled;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Iteration-level scheduling by token budget. Each request has {@code numComputedTokens} and
 * {@code numTokens}; a step gives every running request in decode one token, then fills the rest of
 * {@code maxBatchedTokens} with prefill chunks (running requests first, then newly admitted ones), up to
 * {@code maxRunningRequests}. Chunked prefill, prefix-cache hits and recompute after preemption all fall out
 * of the same rule: compute tokens {@code [numComputedTokens, numTokens)}.
 *
 * <p>Admission needs a free state slot and KV blocks for the first chunk. When a running request needs a
 * block and none is free, the lowest-ranked running request not yet scheduled in this step (lowest
 * priority, latest arrival; possibly the request itself) is preempted: its memory is released and it
 * re-enters the queue to be recomputed, keeping its output so far. A prefill chunk ends exactly at each
 * position where the request snapshots its state.
 *
 * <p>This class alone changes {@link Request#status}. Not thread-safe: the engine thread owns it.
 */
final class Scheduler {

    /** @param maxContextTokens positions the model supports; a sequence reaching it ends with LENGTH */
    record Config(int maxBatchedTokens, int maxRunningRequests, int maxContextTokens) {}

    private final Config config;
    private final CacheManager cache;
    private final ArrayDeque<Integer> freeSeqSlots = new ArrayDeque<>();
    private final int numSeqSlots;
    private final List<Request> waiting = new ArrayList<>();
    private final List<Request> running = new ArrayList<>();
    private final List<Request> finished = new ArrayList<>();
    final SchedulerCounters counters = new SchedulerCounters();

    /** @param seqSlots the state-slot ids for running sequences (one per running request) */
    Scheduler(Config config, CacheManager cache, int[] seqSlots) {
        this.config = config;
        this.cache = cache;
        this.numSeqSlots = seqSlots.length;
        for (int s : seqSlots) {
            freeSeqSlots.add(s);
        }
    }

    CacheManager cache() {
        return cache;
    }

    void add(Request r) {
        waiting.add(r);
    }

    int numWaiting() {
        return waiting.size();
    }

    int numRunning() {
        return running.size();
    }

    int numSeqSlots() {
        return numSeqSlots;
    }

    int numSeqSlotsUsed() {
        return numSeqSlots - freeSeqSlots.size();
    }

    boolean hasUnfinished() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    /** Decides the next step. Cancelled and expired requests finish first and free their memory. */
    StepPlan schedule(Instant now) {
        sweep(now);
        PlanBuilder plan = new PlanBuilder(config.maxBatchedTokens());
        running.sort(Request::compareForScheduling);
        preemptForPriority();
        for (boolean decodePass : new boolean[] {true, false}) {
            for (Request r : new ArrayList<>(running)) {
                boolean isDecode = r.numTokens() - r.numComputedTokens == 1;
                if (plan.budget == 0) {
                    break;
                }
                if (r.status == RequestStatus.RUNNING && isDecode == decodePass && !plan.scheduled.containsKey(r)) {
                    scheduleRunning(r, plan);
                }
            }
        }
        admitWaiting(plan);
        counters.numLastScheduled = plan.chunks.size();
        return plan.build();
    }

    /** Frees state slots for waiting requests of strictly higher priority than the lowest running ones. */
    private void preemptForPriority() {
        waiting.sort(Request::compareForScheduling);
        for (Request w : new ArrayList<>(waiting)) {
            if (!freeSeqSlots.isEmpty() || running.isEmpty()) {
                return;
            }
            Request lowest = running.get(running.size() - 1);
            if (lowest.priority >= w.priority) {
                return;
            }
            preempt(lowest);
        }
    }

    private void scheduleRunning(Request r, PlanBuilder plan) {
        int numNew = chunkLength(r, plan.budget);
        while (!cache.ensureBlocks(r, r.numComputedTokens + numNew)) {
            Optional<Request> victim = victim(r, plan, false);
            if (victim.isPresent()) {
                preempt(victim.get());
                continue;
            }
            if (running.size() == 1) {
                // alone and still out of blocks: the pool cannot hold this sequence at all
                finish(r, RequestStatus.FINISHED_LENGTH, Optional.empty());
            } else {
                preempt(r);
            }
            return;
        }
        addChunk(r, numNew, plan);
    }

    private void admitWaiting(PlanBuilder plan) {
        waiting.sort(Request::compareForScheduling);
        int next = 0;
        while (next < waiting.size() && plan.budget > 0) {
            Request r = waiting.get(next);
            if (cache.prefixCaching() && prefixInProgress(r)) {
                next++; // admitted once the running request has snapshotted the shared prefix: then it hits
                continue;
            }
            if (freeSeqSlots.isEmpty() && !preemptFor(r, plan)) {
                return;
            }
            List<Copy> kvCopies = new ArrayList<>();
            CacheManager.Resume resume;
            int numNew;
            while (true) {
                // looked up again after each preemption: the failed attempt may have evicted snapshots
                resume = cache.findResume(r);
                r.numComputedTokens = resume.position();
                r.snapshotPositions = cache.snapshotPositions(r, resume.position());
                r.nextSnapshot = 0;
                numNew = chunkLength(r, plan.budget);
                if (cache.admit(r, resume, resume.position() + numNew, kvCopies)) {
                    break;
                }
                kvCopies.clear();
                if (!preemptFor(r, plan)) {
                    r.numComputedTokens = 0;
                    return;
                }
            }
            waiting.remove(next);
            int slot = freeSeqSlots.pop();
            r.stateSlot = OptionalInt.of(slot);
            r.status = RequestStatus.RUNNING;
            running.add(r);
            if (resume.snapshot().isPresent()) {
                plan.stateCopies.add(new Copy(resume.snapshot().get().slot(), slot));
            } else {
                plan.stateResets.add(slot);
            }
            plan.kvBlockCopies.addAll(kvCopies);
            counters.countAdmission(r, resume.position());
            addChunk(r, numNew, plan);
        }
    }

    /**
     * Whether a running request is computing the prefix {@code r} declared as shared and has not reached its
     * end yet. Admitting {@code r} now would compute the same prefix twice; a step or a few later it resumes
     * from the snapshot instead. Requests of other tenants or with other tokens are not held back.
     */
    private boolean prefixInProgress(Request r) {
        if (r.sharedPrefixTokens.isEmpty()) {
            return false;
        }
        int d = Math.min(r.sharedPrefixTokens.getAsInt(), r.numTokens() - 1);
        if (d <= 0) {
            return false;
        }
        for (Request q : running) {
            if (q.numComputedTokens < d && q.numTokens() > d && q.tenant.equals(r.tenant)
                    && Arrays.binarySearch(q.snapshotPositions, d) >= 0
                    && Arrays.equals(q.tokenArray(), 0, d, r.tokenArray(), 0, d)) {
                return true;
            }
        }
        return false;
    }

    /** Frees room for a waiting request by preempting a strictly lower-priority running one, if any. */
    private boolean preemptFor(Request r, PlanBuilder plan) {
        Optional<Request> victim = victim(r, plan, true);
        victim.ifPresent(this::preempt);
        return victim.isPresent();
    }

    /** The lowest-ranked running request other than {@code r} not scheduled in this step. */
    private Optional<Request> victim(Request r, PlanBuilder plan, boolean lowerPriorityOnly) {
        for (int i = running.size() - 1; i >= 0; i--) {
            Request v = running.get(i);
            if (v != r && !plan.scheduled.containsKey(v) && (!lowerPriorityOnly || v.priority < r.priority)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** Tokens to compute for {@code r} now: within the budget, ending at its next snapshot position. */
    private int chunkLength(Request r, int budget) {
        int numNew = Math.min(r.numTokens() - r.numComputedTokens, budget);
        while (r.nextSnapshot < r.snapshotPositions.length && r.snapshotPositions[r.nextSnapshot] <= r.numComputedTokens) {
            r.nextSnapshot++;
        }
        if (r.nextSnapshot < r.snapshotPositions.length) {
            numNew = Math.min(numNew, r.snapshotPositions[r.nextSnapshot] - r.numComputedTokens);
        }
        return numNew;
    }

    private void addChunk(Request r, int numNew, PlanBuilder plan) {
        int start = r.numComputedTokens;
        int end = start + numNew;
        OptionalInt snapshotSlot = OptionalInt.empty();
        if (r.nextSnapshot < r.snapshotPositions.length && r.snapshotPositions[r.nextSnapshot] == end) {
            snapshotSlot = cache.reserveSnapshot(r, end);
            snapshotSlot.ifPresent(s -> plan.snapshotCopies.add(new Copy(r.stateSlot.getAsInt(), s)));
        }
        SeqChunk chunk = new SeqChunk(Arrays.copyOfRange(r.tokenArray(), start, end), start, r.blockTable(),
                r.stateSlot.getAsInt(), end == r.numTokens());
        plan.chunks.add(new Scheduled(r, chunk, snapshotSlot));
        plan.scheduled.put(r, Boolean.TRUE);
        plan.budget -= numNew;
    }

    /**
     * Applies a computed step: advances every scheduled request, registers filled blocks and new snapshots,
     * appends sampled tokens and finishes requests on a stop token, max tokens or the context length.
     *
     * @param sampled per chunk of the plan, the chosen token (present iff the chunk needed logits)
     * @return the requests that got a new token, in plan order
     */
    List<Request> postprocess(StepPlan plan, List<Optional<SampledToken>> sampled) {
        List<Request> withToken = new ArrayList<>();
        for (int i = 0; i < plan.chunks().size(); i++) {
            Scheduled s = plan.chunks().get(i);
            Request r = s.request();
            int start = s.chunk().startPos();
            r.numComputedTokens = start + s.chunk().numTokens();
            counters.countComputed(r, start, r.numComputedTokens);
            cache.registerFullBlocks(r);
            s.snapshotSlot().ifPresent(slot -> cache.insertSnapshot(r, r.numComputedTokens, slot));
            if (sampled.get(i).isPresent()) {
                SampledToken c = sampled.get(i).get();
                r.appendToken(c.tokenId(), c.logprob());
                counters.generatedTokens++;
                withToken.add(r);
                if (r.stopTokenIds.contains(c.tokenId())) {
                    finish(r, RequestStatus.FINISHED_STOPPED, Optional.empty());
                } else if (r.numOutputTokens() >= r.maxTokens || r.numTokens() >= config.maxContextTokens()) {
                    finish(r, RequestStatus.FINISHED_LENGTH, Optional.empty());
                }
            }
        }
        return withToken;
    }

    /** Returns the snapshot slots a plan reserved when its step failed before they were written. */
    void abandonSnapshots(StepPlan plan) {
        for (Scheduled s : plan.chunks()) {
            s.snapshotSlot().ifPresent(cache.snapshots::releaseSlot);
        }
    }

    /** Ends a request now (no effect if it already ended) and frees its blocks and slot. */
    void finish(Request r, RequestStatus status, Optional<String> error) {
        if (r.status.isFinished()) {
            return;
        }
        if (!status.isFinished()) {
            throw new IllegalArgumentException("not a finished status: " + status);
        }
        if (r.status == RequestStatus.RUNNING) {
            running.remove(r);
            releaseMemory(r);
        } else {
            waiting.remove(r);
        }
        r.status = status;
        r.errorMessage = error;
        finished.add(r);
    }

    /** Ends a request that never reached any scheduler (submitted to a closed engine) with ERROR. */
    static void rejectUnscheduled(Request r, String error) {
        if (r.status != RequestStatus.WAITING) {
            throw new IllegalStateException("request " + r.id + " was already scheduled: " + r.status);
        }
        r.status = RequestStatus.FINISHED_ERROR;
        r.errorMessage = Optional.of(error);
    }

    /** Requests finished since the last call. */
    List<Request> drainFinished() {
        List<Request> out = new ArrayList<>(finished);
        finished.clear();
        return out;
    }

    /** Ends every unfinished request with CANCELLED (engine shutdown). */
    void cancelAll() {
        finishAll(RequestStatus.FINISHED_CANCELLED, Optional.empty());
    }

    /** Ends every unfinished request with the given status. */
    void finishAll(RequestStatus status, Optional<String> error) {
        for (Request r : new ArrayList<>(running)) {
            finish(r, status, error);
        }
        for (Request r : new ArrayList<>(waiting)) {
            finish(r, status, error);
        }
    }

    private void sweep(Instant now) {
        for (List<Request> list : List.of(running, waiting)) {
            for (Request r : new ArrayList<>(list)) {
                if (r.cancelRequested) {
                    finish(r, RequestStatus.FINISHED_CANCELLED, Optional.empty());
                } else if (r.isExpired(now)) {
                    finish(r, RequestStatus.FINISHED_DEADLINE, Optional.empty());
                }
            }
        }
    }

    private void preempt(Request r) {
        running.remove(r);
        releaseMemory(r);
        r.numComputedTokens = 0;
        r.status = RequestStatus.PREEMPTED;
        r.numPreemptions++;
        counters.numPreemptions++;
        waiting.add(r);
    }

    private void releaseMemory(Request r) {
        cache.release(r);
        r.stateSlot.ifPresent(freeSeqSlots::push);
        r.stateSlot = OptionalInt.empty();
    }

    /** Mutable scratch while one plan is built. */
    private static final class PlanBuilder {
        int budget;
        final List<Scheduled> chunks = new ArrayList<>();
        final IdentityHashMap<Request, Boolean> scheduled = new IdentityHashMap<>();
        final List<Integer> stateResets = new ArrayList<>();
        final List<Copy> stateCopies = new ArrayList<>();
        final List<Copy> kvBlockCopies = new ArrayList<>();
        final List<Copy> snapshotCopies = new ArrayList<>();

        PlanBuilder(int budget) {
            this.budget = budget;
        }

        StepPlan build() {
            return new StepPlan(chunks, stateResets, stateCopies, kvBlockCopies, snapshotCopies);
        }
    }
}
