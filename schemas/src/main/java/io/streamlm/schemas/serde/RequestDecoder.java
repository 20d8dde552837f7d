package io.streamlm.schemas.serde;

import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import java.io.Serializable;
import java.util.Optional;

/**
 * The pipeline's entry point for prompt records: detects the wire format, decodes (resolving older registered
 * schema versions), validates, and returns either a valid request or a typed failure for the dead-letter topic.
 * Never throws on bad bytes. Serializable for Flink.
 */
public final class RequestDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final AvroCodec<InferenceRequest> codec;
    private final RequestValidator validator;

    public RequestDecoder(SchemaRegistry registry, RequestValidator validator) {
        this.codec = AvroCodec.of(InferenceRequest.class, registry);
        this.validator = validator;
    }

    /** The project's schemas and the default validator. */
    public static RequestDecoder create() {
        return new RequestDecoder(SchemaRegistry.withProjectSchemas(), RequestValidator.create());
    }

    public DecodeResult<InferenceRequest> decode(byte[] value) {
        DecodeResult<InferenceRequest> result = codec.decode(value);
        if (result instanceof DecodeResult.Failed<InferenceRequest> failed) {
            return new DecodeResult.Failed<>(refine(failed.failure()));
        }
        DecodeResult.Decoded<InferenceRequest> decoded = (DecodeResult.Decoded<InferenceRequest>) result;
        Optional<DecodeFailure> invalid = validator.validate(decoded.value());
        return invalid.<DecodeResult<InferenceRequest>>map(DecodeResult.Failed::new).orElse(decoded);
    }

    public AvroCodec<InferenceRequest> codec() {
        return codec;
    }

    public RequestValidator validator() {
        return validator;
    }

    /** A JSON value of the wrong type in e.g. maxTokens is an invalid max tokens, not a schema mismatch. */
    private static DecodeFailure refine(DecodeFailure failure) {
        if (failure.reason() != DeadLetterReason.WRONG_SCHEMA || failure.field().isEmpty()) {
            return failure;
        }
        DeadLetterReason reason = RequestValidator.reasonForField(failure.field().get());
        return reason == DeadLetterReason.INVALID_FIELD ? failure : failure.withReason(reason);
    }
}
