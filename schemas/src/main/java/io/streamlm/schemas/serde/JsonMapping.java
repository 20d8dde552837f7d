package io.streamlm.schemas.serde;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import io.streamlm.schemas.serde.JsonFieldException.Kind;

/**
 * A friendly JSON mapping for people and scripts, instead of Avro's JSON encoding (which wraps every union value in
 * a type name): a nullable field is its value or null, a missing field takes the schema default, an enum is its
 * symbol (any case), a timestamp-millis is epoch millis or an ISO-8601 string (written as ISO-8601), bytes are
 * base64, doubles also accept "NaN"/"Infinity". Field names are the schema's; snake_case spellings and aliases are
 * accepted. Unknown fields are an error, so typos are not silently ignored. Works on generic data (no logical type
 * conversions); {@link AvroCodec} converts to and from the generated classes through Avro binary.
 */
final class JsonMapping {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonMapping() {}

    // ---- JSON -> generic datum

    static Object read(JsonNode node, Schema schema, String path) throws JsonFieldException {
        switch (schema.getType()) {
            case RECORD: return readRecord(node, schema, path);
            case UNION: return readUnion(node, schema, path);
            case STRING:
                if (node.isTextual()) return node.textValue();
                throw wrongType(path, "a string", node);
            case INT:
                if (node.isIntegralNumber() && node.canConvertToInt()) return node.intValue();
                throw wrongType(path, node.isIntegralNumber() ? "an integer within int range" : "an integer", node);
            case LONG: return readLong(node, schema, path);
            case FLOAT: return (float) readDouble(node, path);
            case DOUBLE: return readDouble(node, path);
            case BOOLEAN:
                if (node.isBoolean()) return node.booleanValue();
                throw wrongType(path, "true or false", node);
            case BYTES: return readBytes(node, path);
            case ENUM: return readEnum(node, schema, path);
            case ARRAY: return readArray(node, schema, path);
            case MAP: return readMap(node, schema, path);
            case NULL:
                if (node.isNull()) return null;
                throw wrongType(path, "null", node);
            default:
                throw new JsonFieldException(Kind.WRONG_TYPE, path, path + ": schema type " + schema.getType()
                        + " has no JSON mapping");
        }
    }

    private static GenericRecord readRecord(JsonNode node, Schema schema, String path) throws JsonFieldException {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        Map<String, JsonNode> byField = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Schema.Field field = fieldFor(schema, e.getKey());
            if (field == null) {
                String where = join(path, e.getKey());
                throw new JsonFieldException(Kind.UNKNOWN_FIELD, where, "unknown field '" + where + "' (not in "
                        + schema.getName() + "; known: " + fieldNames(schema) + ")");
            }
            byField.put(field.name(), e.getValue());
        }
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = byField.get(field.name());
            String where = join(path, field.name());
            boolean absent = value == null || (value.isNull() && !isNullable(field.schema()));
            if (absent && field.hasDefaultValue()) {
                record.put(field.pos(), GenericData.get().getDefaultValue(field));
            } else if (absent) {
                throw new JsonFieldException(Kind.MISSING_FIELD, where, "missing required field '" + where + "'");
            } else {
                record.put(field.pos(), read(value, field.schema(), where));
            }
        }
        return record;
    }

    private static Object readUnion(JsonNode node, Schema schema, String path) throws JsonFieldException {
        if (node.isNull() && isNullable(schema)) {
            return null;
        }
        JsonFieldException first = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return read(node, branch, path);
            } catch (JsonFieldException e) {
                first = first == null ? e : first;
            }
        }
        throw first != null ? first : wrongType(path, "null", node);
    }

    private static long readLong(JsonNode node, Schema schema, String path) throws JsonFieldException {
        boolean timestamp = schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (timestamp && node.isTextual()) {
            try {
                return Instant.parse(node.textValue()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw wrongType(path, "epoch millis or an ISO-8601 instant like 2026-01-31T12:00:00Z", node);
            }
        }
        throw wrongType(path, timestamp ? "epoch millis or an ISO-8601 instant" : "an integer", node);
    }

    private static double readDouble(JsonNode node, String path) throws JsonFieldException {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw wrongType(path, "a number", node);
    }

    private static ByteBuffer readBytes(JsonNode node, String path) throws JsonFieldException {
        if (node.isTextual()) {
            try {
                return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
            } catch (IllegalArgumentException e) {
                throw wrongType(path, "base64 text", node);
            }
        }
        throw wrongType(path, "base64 text", node);
    }

    private static Object readEnum(JsonNode node, Schema schema, String path) throws JsonFieldException {
        if (node.isTextual()) {
            for (String symbol : schema.getEnumSymbols()) {
                if (symbol.equalsIgnoreCase(node.textValue())) {
                    return new GenericData.EnumSymbol(schema, symbol);
                }
            }
        }
        throw wrongType(path, "one of " + schema.getEnumSymbols(), node);
    }

    private static List<Object> readArray(JsonNode node, Schema schema, String path) throws JsonFieldException {
        if (!node.isArray()) {
            throw wrongType(path, "an array", node);
        }
        List<Object> items = new GenericData.Array<>(node.size(), schema);
        for (int i = 0; i < node.size(); i++) {
            items.add(read(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        return items;
    }

    private static Map<String, Object> readMap(JsonNode node, Schema schema, String path) throws JsonFieldException {
        if (!node.isObject()) {
            throw wrongType(path, "an object of " + schema.getValueType().getType().getName() + " values", node);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            map.put(e.getKey(), read(e.getValue(), schema.getValueType(), path + "." + e.getKey()));
        }
        return map;
    }

    /** The field named {@code name} exactly, by alias, or by its camelCase form (max_tokens -> maxTokens). */
    private static Schema.Field fieldFor(Schema record, String name) {
        Schema.Field field = record.getField(name);
        if (field == null) {
            field = record.getField(snakeToCamel(name));
        }
        if (field == null) {
            for (Schema.Field f : record.getFields()) {
                if (f.aliases().contains(name)) {
                    return f;
                }
            }
        }
        return field;
    }

    static String snakeToCamel(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static boolean isNullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL
                || (schema.getType() == Schema.Type.UNION
                    && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL));
    }

    private static String fieldNames(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList().toString();
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static JsonFieldException wrongType(String path, String expected, JsonNode got) {
        String shown = got.toString();
        shown = shown.length() > 60 ? shown.substring(0, 60) + "..." : shown;
        return new JsonFieldException(Kind.WRONG_TYPE, path, "field '" + path + "' must be " + expected + ", got "
                + shown);
    }

    // ---- generic datum -> JSON

    static JsonNode write(Object datum, Schema schema) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode object = nodes.objectNode();
                GenericRecord record = (GenericRecord) datum;
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), write(record.get(field.pos()), field.schema()));
                }
                return object;
            }
            case UNION: {
                int branch = GenericData.get().resolveUnion(schema, datum);
                return write(datum, schema.getTypes().get(branch));
            }
            case STRING: return nodes.textNode(datum.toString());
            case INT: return nodes.numberNode((Integer) datum);
            case LONG:
                return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                        ? nodes.textNode(Instant.ofEpochMilli((Long) datum).toString())
                        : nodes.numberNode((Long) datum);
            case FLOAT: return writeDouble(((Float) datum).doubleValue());
            case DOUBLE: return writeDouble((Double) datum);
            case BOOLEAN: return nodes.booleanNode((Boolean) datum);
            case BYTES: {
                ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return nodes.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case ENUM: return nodes.textNode(((GenericEnumSymbol<?>) datum).toString());
            case ARRAY: {
                ArrayNode array = nodes.arrayNode();
                for (Object item : (Collection<?>) datum) {
                    array.add(write(item, schema.getElementType()));
                }
                return array;
            }
            case MAP: {
                ObjectNode object = nodes.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
                    object.set(e.getKey().toString(), write(e.getValue(), schema.getValueType()));
                }
                return object;
            }
            case NULL: return nodes.nullNode();
            default: throw new IllegalArgumentException("schema type " + schema.getType() + " has no JSON mapping");
        }
    }

    private static JsonNode writeDouble(double v) {
        // JSON has no NaN/Infinity literals; write them as the strings the reader accepts
        if (Double.isNaN(v)) return JsonNodeFactory.instance.textNode("NaN");
        if (Double.isInfinite(v)) return JsonNodeFactory.instance.textNode(v > 0 ? "Infinity" : "-Infinity");
        return JsonNodeFactory.instance.numberNode(v);
    }
}
