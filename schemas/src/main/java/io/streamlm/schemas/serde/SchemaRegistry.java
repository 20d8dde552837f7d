package io.streamlm.schemas.serde;

import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.RequestMetrics;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * An in-process schema registry: schema ids (for the Confluent wire format) and CRC-64-AVRO fingerprints (for
 * single-object encoding) mapped to writer schemas. It stands in for Confluent's registry client, which is not
 * on Maven Central; a deployment that uses a real registry copies its ids in with {@link #register(int, Schema)}.
 * Older versions of a schema are registered next to the current one so their records still decode.
 * Thread-safe; serializable so Flink functions can carry it.
 */
public final class SchemaRegistry implements SchemaStore, Serializable {

    private static final long serialVersionUID = 1L;

    /** Ids of the project's current schemas in {@link #withProjectSchemas()}. */
    public static final int INFERENCE_REQUEST_ID = 1;
    public static final int COMPLETION_ID = 2;
    public static final int REQUEST_METRICS_ID = 3;
    public static final int DEAD_LETTER_ID = 4;

    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<Long, Integer> idByFingerprint = new HashMap<>();

    /** An empty registry. */
    public SchemaRegistry() {}

    /** A registry holding the current InferenceRequest, Completion, RequestMetrics and DeadLetter schemas. */
    public static SchemaRegistry withProjectSchemas() {
        SchemaRegistry registry = new SchemaRegistry();
        registry.register(INFERENCE_REQUEST_ID, InferenceRequest.getClassSchema());
        registry.register(COMPLETION_ID, Completion.getClassSchema());
        registry.register(REQUEST_METRICS_ID, RequestMetrics.getClassSchema());
        registry.register(DEAD_LETTER_ID, DeadLetter.getClassSchema());
        return registry;
    }

    /** Registers {@code schema} under the next free id, or returns its id if it is already registered. */
    public synchronized int register(Schema schema) {
        Integer known = idByFingerprint.get(fingerprint(schema));
        if (known != null) {
            return known;
        }
        int id = schemaById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        register(id, schema);
        return id;
    }

    /** Registers {@code schema} under {@code id}; the same schema under the same id again is a no-op. */
    public synchronized void register(int id, Schema schema) {
        long fingerprint = fingerprint(schema);
        Schema previous = schemaById.get(id);
        if (previous != null && fingerprint(previous) != fingerprint) {
            throw new IllegalArgumentException("schema id " + id + " is already registered for a different schema ("
                    + previous.getFullName() + ")");
        }
        Integer previousId = idByFingerprint.get(fingerprint);
        if (previousId != null && previousId != id) {
            throw new IllegalArgumentException("schema " + schema.getFullName() + " is already registered as id "
                    + previousId + ", cannot also be id " + id);
        }
        schemaById.put(id, schema);
        idByFingerprint.put(fingerprint, id);
    }

    public synchronized Optional<Schema> schema(int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    public synchronized OptionalInt idOf(Schema schema) {
        Integer id = idByFingerprint.get(fingerprint(schema));
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public synchronized Optional<Schema> schemaByFingerprint(long fingerprint) {
        Integer id = idByFingerprint.get(fingerprint);
        return id == null ? Optional.empty() : Optional.of(schemaById.get(id));
    }

    /** {@link SchemaStore} view, so Avro's own {@code BinaryMessageDecoder} can use this registry; null if unknown. */
    @Override
    public Schema findByFingerprint(long fingerprint) {
        return schemaByFingerprint(fingerprint).orElse(null);
    }

    /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form, as single-object encoding writes it. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }
}
