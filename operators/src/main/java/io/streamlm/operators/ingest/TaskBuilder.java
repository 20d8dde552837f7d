package io.streamlm.operators.ingest;

import io.streamlm.engine.ChatMessage;
import io.streamlm.operators.enrichment.PromptTemplate;
import io.streamlm.operators.enrichment.TemplateRegistry;
import io.streamlm.operators.inference.InferenceTask;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.SamplingParams;
import io.streamlm.schemas.serde.DecodeFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a decoded, schema-valid request into an {@link InferenceTask}: renders its template (enrichment),
 * tokenizes its prompt, checks it against the model (context length, vocabulary), fixes its seed and its
 * routing hash. Failures are typed for the dead-letter topic.
 */
public final class TaskBuilder {
    private final TemplateRegistry templates;
    private final PromptTokenizer tokenizer;

    public TaskBuilder(TemplateRegistry templates, PromptTokenizer tokenizer) {
        this.templates = templates;
        this.tokenizer = tokenizer;
    }

    /** Thrown (and caught by the ingest step) when a request cannot run on this model. */
    public static final class Invalid extends Exception {
        public final transient DecodeFailure failure;

        Invalid(DecodeFailure failure) {
            super(failure.message());
            this.failure = failure;
        }
    }

    public InferenceTask build(InferenceRequest r, long ingestMillis) throws Invalid {
        InferenceTask t = new InferenceTask();
        t.id = r.getId();
        t.tenant = r.getTenant();
        tokenize(r, t);
        if (t.promptTokens.length >= tokenizer.contextLength()) {
            throw new Invalid(DecodeFailure.promptTooLong(t.id, t.promptTokens.length, tokenizer.contextLength()));
        }
        SamplingParams s = r.getSampling();
        t.temperature = s.getTemperature();
        t.topK = s.getTopK();
        t.topP = s.getTopP();
        t.minP = s.getMinP();
        t.repetitionPenalty = s.getRepetitionPenalty();
        t.presencePenalty = s.getPresencePenalty();
        t.frequencyPenalty = s.getFrequencyPenalty();
        t.logprobs = s.getLogprobs();
        t.seed = s.getSeed() != null ? s.getSeed() : derivedSeed(t.tenant, t.id);
        t.maxTokens = r.getMaxTokens();
        t.stopStrings = r.getStop().toArray(new String[0]);
        t.stopTokenIds = stopTokenIds(r);
        t.priority = r.getPriority();
        t.deadlineMillis = r.getDeadline() == null ? null : r.getDeadline().toEpochMilli();
        t.createdMillis = r.getCreatedAt() == null ? 0 : r.getCreatedAt().toEpochMilli();
        t.ingestMillis = ingestMillis;
        t.metadata(r.getMetadata());
        return t;
    }

    private void tokenize(InferenceRequest r, InferenceTask t) throws Invalid {
        if (r.getTemplate() != null) {
            String templateId = r.getTemplate().getTemplateId();
            PromptTemplate template = templates.find(templateId)
                    .orElseThrow(() -> new Invalid(DecodeFailure.unknownTemplate(t.id, templateId)));
            PromptTemplate.Rendered rendered;
            try {
                rendered = template.render(r.getTemplate().getVariables());
            } catch (PromptTemplate.MissingVariableException e) {
                throw new Invalid(DecodeFailure.ofField(DeadLetterReason.MISSING_TEMPLATE_VARIABLE, t.id,
                        "template.variables", e.getMessage()));
            }
            // the fixed part and the rest are encoded separately, so the shared prefix is the same tokens
            // in every request (BPE over the joined text could merge across the boundary)
            int[] prefix = tokenizer.encode(rendered.sharedPrefix());
            int[] rest = tokenizer.encode(rendered.rest());
            t.promptTokens = concat(prefix, rest);
            t.sharedPrefixTokens = prefix.length;
            t.templateId = templateId;
            t.prefixHash = hash64(("template:" + templateId).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (r.getPromptTokenIds() != null) {
            t.promptTokens = r.getPromptTokenIds().stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < t.promptTokens.length; i++) {
                if (t.promptTokens[i] < 0 || t.promptTokens[i] >= tokenizer.vocabSize()) {
                    throw new Invalid(DecodeFailure.ofField(DeadLetterReason.INVALID_FIELD, t.id, "promptTokenIds[" + i + "]",
                            "is " + t.promptTokens[i] + ", outside the model's vocabulary [0, " + tokenizer.vocabSize() + ")"));
                }
            }
        } else if (r.getMessages() != null) {
            t.promptTokens = tokenizer.encode(tokenizer.renderChat(chat(r)));
        } else {
            t.promptTokens = tokenizer.encode(r.getPrompt());
        }
        if (t.promptTokens.length == 0) {
            throw new Invalid(DecodeFailure.ofField(DeadLetterReason.MISSING_PROMPT, t.id, "prompt", "encodes to no tokens"));
        }
        declaredPrefix(r, t);
    }

    private void declaredPrefix(InferenceRequest r, InferenceTask t) throws Invalid {
        Integer declared = r.getSharedPrefixTokens();
        if (declared == null || declared == 0) {
            // no shared prefix: spread such requests by id
            t.prefixHash = hash64(("id:" + t.id).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (declared < 0 || declared > t.promptTokens.length) {
            throw new Invalid(DecodeFailure.ofField(DeadLetterReason.INVALID_FIELD, t.id, "sharedPrefixTokens",
                    "is " + declared + ", outside [0, " + t.promptTokens.length + "] (the prompt's token count)"));
        }
        t.sharedPrefixTokens = declared;
        int[] prefix = Arrays.copyOf(t.promptTokens, declared);
        t.prefixHash = hash64(("tokens:" + Arrays.toString(prefix)).getBytes(StandardCharsets.UTF_8));
    }

    private static List<ChatMessage> chat(InferenceRequest r) throws Invalid {
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < r.getMessages().size(); i++) {
            var m = r.getMessages().get(i);
            try {
                out.add(new ChatMessage(m.getRole(), m.getContent()));
            } catch (IllegalArgumentException e) {
                throw new Invalid(DecodeFailure.ofField(DeadLetterReason.INVALID_FIELD, r.getId(), "messages[" + i + "].role",
                        e.getMessage() + " (this model's chat format has no such role)"));
            }
        }
        return out;
    }

    /**
     * The request's stop ids; text, chat and template prompts also stop at the model's end of sequence
     * (as vLLM does unless told to ignore it). Token-id prompts are raw: only the ids they name stop them.
     */
    private int[] stopTokenIds(InferenceRequest r) {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>(r.getStopTokenIds());
        if (r.getPromptTokenIds() == null) {
            for (int id : tokenizer.eosTokenIds()) {
                ids.add(id);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A replayed request must sample the same text: its seed is a fixed function of tenant and id. */
    public static long derivedSeed(String tenant, String id) {
        return hash64((tenant + "\u0000" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** FNV-1a 64: stable across JVMs and releases, unlike String.hashCode's spread. */
    static long hash64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
