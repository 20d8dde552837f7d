package io.streamlm.schemas.serde;

import io.streamlm.schemas.DeadLetterReason;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a record could not become a valid request: the dead-letter reason, a message naming the field and the record
 * id where known, and those two separately.
 *
 * @param reason   the typed reason written to the dead letter
 * @param message  for people: what was wrong, where, what was expected
 * @param recordId the request id, when the bytes decoded far enough to read it
 * @param field    the offending field's path (e.g. {@code sampling.temperature}), when one field is at fault
 */
public record DecodeFailure(DeadLetterReason reason, String message, Optional<String> recordId,
                            Optional<String> field) {

    public DecodeFailure {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(field, "field");
    }

    /** A failure of the record as a whole (not one field). */
    public static DecodeFailure of(DeadLetterReason reason, String message) {
        return new DecodeFailure(reason, message, Optional.empty(), Optional.empty());
    }

    /** A failure of one field of the request {@code recordId}; the message is prefixed with both. */
    public static DecodeFailure ofField(DeadLetterReason reason, String recordId, String field, String problem) {
        String where = recordId == null ? "request (no id)" : "request '" + recordId + "'";
        return new DecodeFailure(reason, where + ": " + field + " " + problem,
                Optional.ofNullable(recordId), Optional.of(field));
    }

    public DecodeFailure withRecordId(String id) {
        return new DecodeFailure(reason, message, Optional.ofNullable(id), field);
    }

    public DecodeFailure withReason(DeadLetterReason newReason) {
        return new DecodeFailure(newReason, message, recordId, field);
    }

    /** The hook for the pipeline, which knows the model's context length and the prompt's token count. */
    public static DecodeFailure promptTooLong(String recordId, int promptTokens, int contextLength) {
        return ofField(DeadLetterReason.PROMPT_TOO_LONG, recordId, "prompt",
                "has " + promptTokens + " tokens, which leaves no room to generate within the model's context length "
                        + contextLength);
    }

    /** The hook for the pipeline, which owns the template registry. */
    public static DecodeFailure unknownTemplate(String recordId, String templateId) {
        return ofField(DeadLetterReason.UNKNOWN_TEMPLATE, recordId, "template.templateId",
                "names template '" + templateId + "', which is not registered");
    }
}
