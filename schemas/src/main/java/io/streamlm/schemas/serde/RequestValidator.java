package io.streamlm.schemas.serde;

import io.streamlm.schemas.ChatMessage;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.SamplingParams;
import io.streamlm.schemas.TemplatePrompt;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a decoded request field by field and reports the first problem as a typed {@link DecodeFailure} whose
 * message names the field and the request id. Checks that need the model (prompt length against the context
 * length) are the pipeline's: it calls {@link DecodeFailure#promptTooLong}. Template checks run here when a
 * {@link TemplateCatalog} is given, otherwise the pipeline calls {@link DecodeFailure#unknownTemplate}.
 */
public final class RequestValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Above this many new tokens a request is taken as a mistake, whatever the model. */
    public static final int DEFAULT_MAX_TOKENS_LIMIT = 1 << 20;
    public static final int MAX_STOP_STRINGS = 64;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private final int maxTokensLimit;
    private final TemplateCatalog templates; // null: template ids are checked by the pipeline

    private RequestValidator(int maxTokensLimit, TemplateCatalog templates) {
        if (maxTokensLimit < 1) {
            throw new IllegalArgumentException("maxTokensLimit must be >= 1, got " + maxTokensLimit);
        }
        this.maxTokensLimit = maxTokensLimit;
        this.templates = templates;
    }

    /** Limit {@link #DEFAULT_MAX_TOKENS_LIMIT}, templates not checked. */
    public static RequestValidator create() {
        return new RequestValidator(DEFAULT_MAX_TOKENS_LIMIT, null);
    }

    /** The same checks with a different upper bound on maxTokens (e.g. the model's context length). */
    public RequestValidator withMaxTokensLimit(int limit) {
        return new RequestValidator(limit, templates);
    }

    /** The same checks plus: the template exists and every variable it requires is given. */
    public RequestValidator withTemplates(TemplateCatalog catalog) {
        return new RequestValidator(maxTokensLimit, catalog);
    }

    public int maxTokensLimit() {
        return maxTokensLimit;
    }

    /** The first problem with {@code request}, or empty if it is valid. */
    public Optional<DecodeFailure> validate(InferenceRequest request) {
        String id = request.getId();
        if (id == null || id.isBlank()) {
            return fail(DeadLetterReason.MISSING_ID, null, "id", "is missing or blank");
        }
        if (request.getTenant() == null || request.getTenant().isBlank()) {
            return fail(DeadLetterReason.INVALID_FIELD, id, "tenant", "must not be blank");
        }
        Optional<DecodeFailure> failure = checkPrompt(request);
        if (failure.isEmpty()) {
            failure = checkLimits(request);
        }
        if (failure.isEmpty()) {
            failure = checkSampling(id, request.getSampling());
        }
        return failure;
    }

    /** The dead-letter reason for a bad value in {@code fieldPath} (e.g. one that failed JSON type mapping). */
    public static DeadLetterReason reasonForField(String fieldPath) {
        String top = fieldPath.split("[.\\[]", 2)[0];
        switch (top) {
            case "id": return DeadLetterReason.MISSING_ID;
            case "maxTokens": return DeadLetterReason.INVALID_MAX_TOKENS;
            case "sampling": return DeadLetterReason.INVALID_SAMPLING;
            case "stop": case "stopTokenIds": return DeadLetterReason.INVALID_STOP;
            default: return DeadLetterReason.INVALID_FIELD;
        }
    }

    private Optional<DecodeFailure> checkPrompt(InferenceRequest r) {
        String id = r.getId();
        int numSet = (r.getPrompt() != null ? 1 : 0) + (r.getMessages() != null ? 1 : 0)
                + (r.getTemplate() != null ? 1 : 0) + (r.getPromptTokenIds() != null ? 1 : 0);
        if (numSet == 0) {
            return fail(DeadLetterReason.MISSING_PROMPT, id, "prompt",
                    "is missing: set exactly one of prompt, messages, template, promptTokenIds");
        }
        if (numSet > 1) {
            return fail(DeadLetterReason.MULTIPLE_PROMPTS, id, "prompt",
                    "is ambiguous: " + numSet + " of prompt, messages, template, promptTokenIds are set, exactly one may be");
        }
        if (r.getPrompt() != null && r.getPrompt().isEmpty()) {
            return fail(DeadLetterReason.MISSING_PROMPT, id, "prompt", "is empty");
        }
        if (r.getMessages() != null) {
            return checkMessages(id, r.getMessages());
        }
        if (r.getTemplate() != null) {
            return checkTemplate(id, r.getTemplate());
        }
        List<Integer> tokenIds = r.getPromptTokenIds();
        if (tokenIds != null) {
            if (tokenIds.isEmpty()) {
                return fail(DeadLetterReason.MISSING_PROMPT, id, "promptTokenIds", "is empty");
            }
            for (int i = 0; i < tokenIds.size(); i++) {
                if (tokenIds.get(i) < 0) {
                    return fail(DeadLetterReason.INVALID_FIELD, id, "promptTokenIds[" + i + "]",
                            "must be >= 0, got " + tokenIds.get(i));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<DecodeFailure> checkMessages(String id, List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return fail(DeadLetterReason.MISSING_PROMPT, id, "messages", "is empty");
        }
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).getRole();
            if (!ROLES.contains(role)) {
                return fail(DeadLetterReason.INVALID_FIELD, id, "messages[" + i + "].role",
                        "must be one of " + ROLES + ", got '" + role + "'");
            }
        }
        return Optional.empty();
    }

    private Optional<DecodeFailure> checkTemplate(String id, TemplatePrompt template) {
        String templateId = template.getTemplateId();
        if (templateId.isBlank()) {
            return fail(DeadLetterReason.MISSING_PROMPT, id, "template.templateId", "is blank");
        }
        if (templates == null) {
            return Optional.empty();
        }
        Optional<Set<String>> required = templates.requiredVariables(templateId);
        if (required.isEmpty()) {
            return Optional.of(DecodeFailure.unknownTemplate(id, templateId));
        }
        for (String name : required.get().stream().sorted().toList()) {
            if (!template.getVariables().containsKey(name)) {
                return fail(DeadLetterReason.MISSING_TEMPLATE_VARIABLE, id, "template.variables",
                        "lacks '" + name + "', which template '" + templateId + "' requires");
            }
        }
        return Optional.empty();
    }

    private Optional<DecodeFailure> checkLimits(InferenceRequest r) {
        String id = r.getId();
        if (r.getMaxTokens() < 1 || r.getMaxTokens() > maxTokensLimit) {
            return fail(DeadLetterReason.INVALID_MAX_TOKENS, id, "maxTokens",
                    "must be in [1, " + maxTokensLimit + "], got " + r.getMaxTokens());
        }
        if (r.getStop().size() > MAX_STOP_STRINGS) {
            return fail(DeadLetterReason.INVALID_STOP, id, "stop",
                    "has " + r.getStop().size() + " strings, at most " + MAX_STOP_STRINGS + " are allowed");
        }
        for (int i = 0; i < r.getStop().size(); i++) {
            if (r.getStop().get(i).isEmpty()) {
                return fail(DeadLetterReason.INVALID_STOP, id, "stop[" + i + "]", "must not be empty");
            }
        }
        for (int i = 0; i < r.getStopTokenIds().size(); i++) {
            if (r.getStopTokenIds().get(i) < 0) {
                return fail(DeadLetterReason.INVALID_STOP, id, "stopTokenIds[" + i + "]",
                        "must be >= 0, got " + r.getStopTokenIds().get(i));
            }
        }
        Integer sharedPrefix = r.getSharedPrefixTokens();
        if (sharedPrefix != null && sharedPrefix < 0) {
            return fail(DeadLetterReason.INVALID_FIELD, id, "sharedPrefixTokens", "must be >= 0, got " + sharedPrefix);
        }
        return Optional.empty();
    }

    private static Optional<DecodeFailure> checkSampling(String id, SamplingParams s) {
        double t = s.getTemperature();
        if (!(Double.isFinite(t) && t >= 0)) {
            return sampling(id, "temperature", "must be a finite number >= 0, got " + t);
        }
        if (s.getTopK() != null && s.getTopK() < 1) {
            return sampling(id, "topK", "must be >= 1 (or null for all tokens), got " + s.getTopK());
        }
        if (!(s.getTopP() > 0 && s.getTopP() <= 1)) {
            return sampling(id, "topP", "must be in (0, 1], got " + s.getTopP());
        }
        if (!(s.getMinP() >= 0 && s.getMinP() < 1)) {
            return sampling(id, "minP", "must be in [0, 1), got " + s.getMinP());
        }
        if (!(Double.isFinite(s.getRepetitionPenalty()) && s.getRepetitionPenalty() > 0)) {
            return sampling(id, "repetitionPenalty", "must be a finite number > 0, got " + s.getRepetitionPenalty());
        }
        if (!(s.getPresencePenalty() >= -2 && s.getPresencePenalty() <= 2)) {
            return sampling(id, "presencePenalty", "must be in [-2, 2], got " + s.getPresencePenalty());
        }
        if (!(s.getFrequencyPenalty() >= -2 && s.getFrequencyPenalty() <= 2)) {
            return sampling(id, "frequencyPenalty", "must be in [-2, 2], got " + s.getFrequencyPenalty());
        }
        return Optional.empty();
    }

    private static Optional<DecodeFailure> sampling(String id, String field, String problem) {
        return fail(DeadLetterReason.INVALID_SAMPLING, id, "sampling." + field, problem);
    }

    private static Optional<DecodeFailure> fail(DeadLetterReason reason, String id, String field, String problem) {
        return Optional.of(DecodeFailure.ofField(reason, id, field, problem));
    }
}
