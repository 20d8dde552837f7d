package io.streamlm.operators.ingest;

import io.streamlm.operators.enrichment.PromptTemplate;
import io.streamlm.operators.enrichment.TemplateRegistry;
import io.streamlm.operators.inference.InferenceTask;
import io.streamlm.operators.metrics.PipelineMetrics;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.serde.DecodeFailure;
import io.streamlm.schemas.serde.DecodeResult;
import io.streamlm.schemas.serde.RequestDecoder;
import io.streamlm.schemas.serde.RequestValidator;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.TemplateCatalog;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decode + validate + enrich: Kafka bytes in, {@link InferenceTask}s out, and every record that cannot
 * become one to the {@link #REJECTED} side output with a typed reason - never an exception, so one bad
 * record never restarts the job. Schema checks (not Avro, wrong schema, missing prompt, bad max tokens,
 * NaN temperature, ...) are the schemas module's {@link RequestDecoder}; the model checks (context
 * length, vocabulary) and template rendering are {@link TaskBuilder}'s.
 */
public final class RequestIngest extends ProcessFunction<RawRecord, InferenceTask> {
    public static final OutputTag<Rejected> REJECTED = new OutputTag<>("rejected", TypeInformation.of(Rejected.class));

    private final TemplateRegistry templates;
    private final PromptTokenizer tokenizer;
    private transient RequestDecoder decoder;
    private transient TaskBuilder builder;
    private transient PipelineMetrics metrics;

    public RequestIngest(TemplateRegistry templates, PromptTokenizer tokenizer) {
        this.templates = templates;
        this.tokenizer = tokenizer;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        tokenizer.open();
        RequestValidator validator = RequestValidator.create()
                .withMaxTokensLimit(tokenizer.contextLength())
                .withTemplates(catalog(templates));
        decoder = new RequestDecoder(SchemaRegistry.withProjectSchemas(), validator);
        builder = new TaskBuilder(templates, tokenizer);
        metrics = PipelineMetrics.get();
    }

    private static TemplateCatalog catalog(TemplateRegistry templates) {
        return id -> templates.find(id).map(PromptTemplate::variables).map(v -> (Set<String>) new HashSet<>(v));
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<InferenceTask> out) {
        DecodeResult<InferenceRequest> decoded = decoder.decode(raw.value);
        if (decoded instanceof DecodeResult.Failed<InferenceRequest> failed) {
            reject(ctx, raw, failed.failure(), Optional.empty());
            return;
        }
        InferenceRequest request = decoded.value();
        try {
            out.collect(builder.build(request, raw.timestamp));
        } catch (TaskBuilder.Invalid invalid) {
            reject(ctx, raw, invalid.failure, Optional.of(request.getTenant()));
        }
    }

    private void reject(Context ctx, RawRecord raw, DecodeFailure f, Optional<String> tenant) {
        metrics.recordDeadLetter(f.reason().name());
        ctx.output(REJECTED, new Rejected(f.reason().name(), f.message(), f.recordId().orElse(null), tenant.orElse(null),
                raw, System.currentTimeMillis()));
    }
}
