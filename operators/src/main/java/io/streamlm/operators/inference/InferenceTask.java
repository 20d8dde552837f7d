package io.streamlm.operators.inference;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A validated request on its way to the engine: the prompt is already rendered and tokenized, the seed
 * already fixed. This is what crosses the network between the decode step and the inference operator and
 * what the operator keeps in checkpointed state, so it is a Flink POJO built only from types Flink
 * serializes natively (no Kryo): primitives, boxed nullables, String, primitive and String arrays.
 * Optional values are boxed fields that may be null (Flink's PojoSerializer writes a null marker).
 */
public class InferenceTask {
    /** The request's id, unique per request; completions carry it back. */
    public String id;
    public String tenant;
    /** Prompt token ids [numPromptTokens]: the template's fixed part first when a template was used. */
    public int[] promptTokens;
    /** Leading prompt tokens shared with other requests (the template's fixed part); 0 when none declared. */
    public int sharedPrefixTokens;
    /** Hash of the shared prefix text (template id or declared prefix); routing keys on it. */
    public long prefixHash;
    /** The template the prompt was rendered from, or null for a free prompt. */
    public String templateId;

    public double temperature;
    /** Keep the k most likely tokens; null = all. */
    public Integer topK;
    public double topP = 1;
    public double minP;
    public double repetitionPenalty = 1;
    public double presencePenalty;
    public double frequencyPenalty;
    /** Always set: the request's own seed, or one derived from its id, so a replay samples the same text. */
    public long seed;
    public int maxTokens;
    public String[] stopStrings = new String[0];
    /** Token ids that end generation: the request's own, plus the model's end-of-sequence ids for text prompts. */
    public int[] stopTokenIds = new int[0];
    public boolean logprobs;

    public int priority;
    /** Epoch millis after which the request ends with status timeout; null = none. */
    public Long deadlineMillis;
    /** Epoch millis the producer stamped on the request. */
    public long createdMillis;
    /** Epoch millis of the Kafka record that carried it: the start of end-to-end latency. */
    public long ingestMillis;
    /** Free-form metadata passed through to the completion [numMetadata], keys and values aligned. */
    public String[] metadataKeys = new String[0];
    public String[] metadataValues = new String[0];

    public InferenceTask() {}

    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < metadataKeys.length; i++) {
            m.put(metadataKeys[i], metadataValues[i]);
        }
        return m;
    }

    public InferenceTask metadata(Map<String, String> m) {
        metadataKeys = m.keySet().toArray(new String[0]);
        metadataValues = m.values().toArray(new String[0]);
        return this;
    }

    /** The routing key: requests of one tenant sharing one prefix go to the same inference subtask. */
    public String routeKey() {
        return tenant + "/" + Long.toHexString(prefixHash);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof InferenceTask t)) {
            return false;
        }
        return Objects.equals(id, t.id) && Objects.equals(tenant, t.tenant) && Arrays.equals(promptTokens, t.promptTokens)
                && sharedPrefixTokens == t.sharedPrefixTokens && prefixHash == t.prefixHash
                && Objects.equals(templateId, t.templateId) && temperature == t.temperature
                && Objects.equals(topK, t.topK) && topP == t.topP && minP == t.minP
                && repetitionPenalty == t.repetitionPenalty && presencePenalty == t.presencePenalty
                && frequencyPenalty == t.frequencyPenalty && seed == t.seed && maxTokens == t.maxTokens
                && Arrays.equals(stopStrings, t.stopStrings) && Arrays.equals(stopTokenIds, t.stopTokenIds) && logprobs == t.logprobs && priority == t.priority
                && Objects.equals(deadlineMillis, t.deadlineMillis) && createdMillis == t.createdMillis
                && ingestMillis == t.ingestMillis && Arrays.equals(metadataKeys, t.metadataKeys)
                && Arrays.equals(metadataValues, t.metadataValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, tenant, seed);
    }

    @Override
    public String toString() {
        return "InferenceTask{id=" + id + ", tenant=" + tenant + ", promptTokens=" + promptTokens.length
                + ", sharedPrefixTokens=" + sharedPrefixTokens + ", maxTokens=" + maxTokens + ", seed=" + seed + "}";
    }
}
