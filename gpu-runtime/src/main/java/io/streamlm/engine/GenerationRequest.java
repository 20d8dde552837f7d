package io.streamlm.engine;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One request to the engine.
 *
 * @param id                   caller's id, unique among requests in flight
 * @param prompt               what to continue
 * @param sampling             sampling parameters, max tokens and stop conditions
 * @param priority             higher runs first; preempted last
 * @param deadline             when the request must be finished; past it, it ends with DEADLINE
 * @param tenant               isolates prefix-cache entries: tenants never share cached blocks
 * @param sharedPrefixTokens   caller-declared length (in prompt tokens) of the part shared with other
 *                             requests (a template's fixed part); the engine snapshots state exactly there
 */
public record GenerationRequest(
        String id,
        Prompt prompt,
        SamplingParams sampling,
        int priority,
        Optional<Instant> deadline,
        String tenant,
        OptionalInt sharedPrefixTokens) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(sharedPrefixTokens, "sharedPrefixTokens");
        if (sharedPrefixTokens.isPresent() && sharedPrefixTokens.getAsInt() < 0) {
            throw new IllegalArgumentException("sharedPrefixTokens must be >= 0, got " + sharedPrefixTokens.getAsInt());
        }
    }

    /** A request with default priority, no deadline, the default tenant and no declared prefix. */
    public static GenerationRequest of(String id, Prompt prompt, SamplingParams sampling) {
        return new GenerationRequest(id, prompt, sampling, 0, Optional.empty(), "default", OptionalInt.empty());
    }
}
