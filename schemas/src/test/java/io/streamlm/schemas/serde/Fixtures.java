package io.streamlm.schemas.serde;

import io.streamlm.schemas.ChatMessage;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.FinishReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.RequestMetrics;
import io.streamlm.schemas.RequestStatus;
import io.streamlm.schemas.SamplingParams;
import io.streamlm.schemas.SourcePosition;
import io.streamlm.schemas.TemplatePrompt;
import io.streamlm.schemas.Timings;
import io.streamlm.schemas.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Records with every field set to a non-default value, so round trips cover the whole schema. */
final class Fixtures {

    static final Instant CREATED = Instant.parse("2026-11-29T06:00:00.123Z");

    private Fixtures() {}

    static InferenceRequest textRequest(String id) {
        return InferenceRequest.newBuilder()
                .setId(id)
                .setTenant("acme")
                .setCreatedAt(CREATED)
                .setPrompt("Summarise: the cat sat on the mat. ü€😀")
                .setSampling(SamplingParams.newBuilder()
                        .setTemperature(0.7).setTopK(40).setTopP(0.9).setMinP(0.05)
                        .setRepetitionPenalty(1.1).setPresencePenalty(0.5).setFrequencyPenalty(-0.5)
                        .setSeed(1234567890123L).setLogprobs(true).build())
                .setMaxTokens(64)
                .setStop(List.of("\n\n", "END"))
                .setStopTokenIds(List.of(151645))
                .setPriority(3)
                .setDeadline(CREATED.plusSeconds(30))
                .setSharedPrefixTokens(12)
                .setMetadata(Map.of("orderId", "o-17", "source", "crm"))
                .build();
    }

    static InferenceRequest chatRequest(String id) {
        return InferenceRequest.newBuilder(textRequest(id)).setPrompt(null)
                .setMessages(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")))
                .build();
    }

    static InferenceRequest templateRequest(String id) {
        return InferenceRequest.newBuilder(textRequest(id)).setPrompt(null)
                .setTemplate(new TemplatePrompt("classify-ticket", Map.of("subject", "refund", "body", "...")))
                .build();
    }

    static InferenceRequest tokenRequest(String id) {
        return InferenceRequest.newBuilder(textRequest(id)).setPrompt(null)
                .setPromptTokenIds(List.of(1, 2, 3, 248319)).build();
    }

    /** Only the id and the prompt; everything else from schema defaults. */
    static InferenceRequest minimal(String id) {
        return InferenceRequest.newBuilder().setId(id).setPrompt("Hello").build();
    }

    static SourcePosition source() {
        return new SourcePosition("prompts", 3, 42L, CREATED.plusMillis(5));
    }

    static Completion completion() {
        return Completion.newBuilder()
                .setId("r1").setTenant("acme").setStatus(RequestStatus.OK).setText("The cat sat.")
                .setFinishReason(FinishReason.STOP).setErrorMessage(null)
                .setUsage(new Usage(20, 16, 4))
                .setTimings(new Timings(150L, 2_000L, 900L, 5_000L))
                .setTokenLogprobs(List.of(-0.1f, -2.5f, -0.01f, Float.NEGATIVE_INFINITY))
                .setModelId("tiny").setMetadata(Map.of("orderId", "o-17"))
                .setRequestCreatedAt(CREATED).setCompletedAt(CREATED.plusMillis(80))
                .setSource(source())
                .build();
    }

    static RequestMetrics metrics() {
        return RequestMetrics.newBuilder()
                .setId("r1").setTenant("acme").setStatus(RequestStatus.TIMEOUT).setFinishReason(FinishReason.DEADLINE)
                .setModelId("tiny").setUsage(new Usage(20, 0, 7)).setTimings(new Timings(10L, null, null, 99L))
                .setEndToEndMicros(123_456L).setOperatorMicros(100_000L).setBatchSize(8).setSubtaskIndex(1)
                .setReplayed(true).setEmittedAt(CREATED.plusMillis(123)).setSource(source())
                .build();
    }
}
