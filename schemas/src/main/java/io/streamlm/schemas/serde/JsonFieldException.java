package io.streamlm.schemas.serde;

/** A JSON document that does not fit the schema at one field; {@code path} is dotted, e.g. {@code sampling.topP}. */
final class JsonFieldException extends Exception {

    enum Kind { UNKNOWN_FIELD, MISSING_FIELD, WRONG_TYPE }

    private final Kind kind;
    private final String path;

    JsonFieldException(Kind kind, String path, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.path = path;
    }

    Kind kind() {
        return kind;
    }

    String path() {
        return path;
    }
}
