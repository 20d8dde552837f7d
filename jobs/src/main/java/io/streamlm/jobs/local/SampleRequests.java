package io.streamlm.jobs.local;

import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.SamplingParams;
import io.streamlm.schemas.TemplatePrompt;
import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The demo's (and the integration tests') workload: enrichment events that name one of the demo
 * templates with event fields as variables, free prompts and chat prompts, in all three wire formats;
 * and one malformed record per dead-letter reason the pipeline must catch.
 */
public final class SampleRequests {
    /** The demo templates (operators' demo-templates.json) and the variables each needs. */
    static final String TRIAGE = "ticket-triage-v1";
    static final String EVENTS = "event-summary-v1";

    private static final String[] TICKETS = {"my card was charged twice for order 1182", "parcel stuck in customs for 9 days",
            "cannot reset my password, the email never arrives", "the blender arrived with a cracked jar",
            "please close my account and delete my data", "coupon SPRING24 is rejected at checkout"};
    private static final String[] TIERS = {"free", "plus", "gold"};
    private static final String[] SERVICES = {"payments-api", "checkout-web", "search-indexer", "auth-gateway"};
    private static final String[] SEVERITIES = {"info", "warning", "critical"};
    private static final String[] EVENTS_TEXT = {"p99 latency 2.4 s over 5 min", "error rate 7% on POST /orders",
            "disk 91% full on node-3", "certificate expires in 6 days", "consumer lag 120k on topic orders"};
    private static final String[] FREE = {"Write a haiku about stream processing.", "Explain exactly-once delivery to a new engineer.",
            "List three uses of a prefix cache.", "Translate 'good morning' into French and German."};

    /** A record to produce: its key and value bytes. */
    public record Sample(String id, byte[] key, byte[] value) {}

    /** A malformed record and the reason it must be dead-lettered with. */
    public record Malformed(DeadLetterReason expected, byte[] value) {}

    private SampleRequests() {}

    /**
     * @param maxTokens new tokens per request
     * @param seed      makes the workload (not the completions) reproducible
     */
    public static List<Sample> valid(int n, int maxTokens, long seed) {
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, SchemaRegistry.withProjectSchemas());
        Random rnd = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("req-%05d", i);
            InferenceRequest.Builder b = InferenceRequest.newBuilder().setId(id).setTenant(i % 5 == 4 ? "globex" : "acme")
                    .setCreatedAt(Instant.now()).setMaxTokens(maxTokens)
                    .setMetadata(Map.of("event_id", "evt-" + i, "source", "demo"));
            int kind = i % 6;
            if (kind < 4) {
                b.setTemplate(kind % 2 == 0 ? triage(rnd) : events(rnd));
            } else if (kind == 4) {
                b.setPrompt(FREE[rnd.nextInt(FREE.length)] + " (#" + i + ")");
            } else {
                b.setMessages(List.of(new io.streamlm.schemas.ChatMessage("system", "You are concise."),
                        new io.streamlm.schemas.ChatMessage("user", FREE[rnd.nextInt(FREE.length)])));
            }
            // half greedy, half sampled without a seed: the pipeline derives one from the id
            b.setSampling(SamplingParams.newBuilder().setTemperature(i % 2 == 0 ? 0.0 : 0.8).setTopP(0.95).build());
            WireFormat format = WireFormat.values()[i % 3];
            out.add(new Sample(id, id.getBytes(StandardCharsets.UTF_8), codec.encode(b.build(), format)));
        }
        return out;
    }

    /**
     * The workload of {@code ./streamlm bench serve --workload shared-prefix}: token-id prompts of one shared
     * random prefix (declared) plus a unique random suffix, greedy, exactly {@code maxTokens} new tokens
     * (token-id prompts stop only at ids they name), so the pipeline and the bare engine can be compared.
     */
    public static List<Sample> sharedPrefix(int n, int prefixTokens, int suffixTokens, int maxTokens, int vocabSize, long seed) {
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, SchemaRegistry.withProjectSchemas());
        Random rnd = new Random(seed);
        List<Integer> prefix = new ArrayList<>();
        for (int i = 0; i < prefixTokens; i++) {
            prefix.add(rnd.nextInt(vocabSize));
        }
        List<Sample> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            String id = String.format("req-%05d", r);
            List<Integer> tokens = new ArrayList<>(prefix);
            for (int i = 0; i < suffixTokens; i++) {
                tokens.add(rnd.nextInt(vocabSize));
            }
            InferenceRequest req = InferenceRequest.newBuilder().setId(id).setTenant("bench").setCreatedAt(Instant.now())
                    .setPromptTokenIds(tokens).setSharedPrefixTokens(prefixTokens > 0 ? prefixTokens : null)
                    .setMaxTokens(maxTokens).setSampling(SamplingParams.newBuilder().setTemperature(0.0).build())
                    .setMetadata(Map.of("event_id", "evt-" + r)).build();
            out.add(new Sample(id, id.getBytes(StandardCharsets.UTF_8), codec.encodeSingleObject(req)));
        }
        return out;
    }

    /** The same encoded request under another id (single-object encoding). */
    public static byte[] withId(byte[] singleObject, String id) {
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, SchemaRegistry.withProjectSchemas());
        InferenceRequest r = codec.decode(singleObject).value();
        r.setId(id);
        return codec.encodeSingleObject(r);
    }

    private static TemplatePrompt triage(Random rnd) {
        return TemplatePrompt.newBuilder().setTemplateId(TRIAGE).setVariables(Map.of(
                "ticket", TICKETS[rnd.nextInt(TICKETS.length)], "tier", TIERS[rnd.nextInt(TIERS.length)])).build();
    }

    private static TemplatePrompt events(Random rnd) {
        return TemplatePrompt.newBuilder().setTemplateId(EVENTS).setVariables(Map.of(
                "service", SERVICES[rnd.nextInt(SERVICES.length)], "severity", SEVERITIES[rnd.nextInt(SEVERITIES.length)],
                "message", EVENTS_TEXT[rnd.nextInt(EVENTS_TEXT.length)])).build();
    }

    /** One record per reason: not Avro, wrong schema, missing prompt, bad max tokens, NaN temperature, too long, unknown template. */
    public static List<Malformed> malformed(int contextLength) {
        SchemaRegistry registry = SchemaRegistry.withProjectSchemas();
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, registry);
        List<Malformed> out = new ArrayList<>();
        out.add(new Malformed(DeadLetterReason.NOT_AVRO, "hello, I am plain text".getBytes(StandardCharsets.UTF_8)));
        Completion wrong = Completion.newBuilder().setId("bad-wrong-schema").build();
        out.add(new Malformed(DeadLetterReason.WRONG_SCHEMA, AvroCodec.of(Completion.class, registry).encodeSingleObject(wrong)));
        out.add(new Malformed(DeadLetterReason.MISSING_PROMPT, json("{\"id\":\"bad-missing-prompt\",\"maxTokens\":8}")));
        out.add(new Malformed(DeadLetterReason.INVALID_MAX_TOKENS,
                json("{\"id\":\"bad-negative-max-tokens\",\"prompt\":\"hi\",\"maxTokens\":-5}")));
        out.add(new Malformed(DeadLetterReason.INVALID_MAX_TOKENS,
                json("{\"id\":\"bad-absurd-max-tokens\",\"prompt\":\"hi\",\"maxTokens\":2000000000}")));
        InferenceRequest nan = InferenceRequest.newBuilder().setId("bad-nan-temperature").setPrompt("hi").setMaxTokens(8)
                .setSampling(SamplingParams.newBuilder().setTemperature(Double.NaN).build()).build();
        out.add(new Malformed(DeadLetterReason.INVALID_SAMPLING, codec.encodeSingleObject(nan)));
        InferenceRequest tooLong = InferenceRequest.newBuilder().setId("bad-prompt-too-long").setMaxTokens(8)
                .setPromptTokenIds(Collections.nCopies(contextLength, 1)).build();
        out.add(new Malformed(DeadLetterReason.PROMPT_TOO_LONG, codec.encodeSingleObject(tooLong)));
        out.add(new Malformed(DeadLetterReason.UNKNOWN_TEMPLATE, json(
                "{\"id\":\"bad-unknown-template\",\"template\":{\"templateId\":\"no-such-template\",\"variables\":{}}}")));
        return out;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
