package io.streamlm.operators.inference;

import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates {@link InferenceOperator}s; a factory is how an operator gets the task's mailbox executor.
 * Use with {@code stream.transform("inference", TypeInformation.of(InferenceOutcome.class), factory)}.
 */
public final class InferenceOperatorFactory extends AbstractStreamOperatorFactory<InferenceOutcome>
        implements OneInputStreamOperatorFactory<InferenceTask, InferenceOutcome> {

    private final EngineFactory engineFactory;
    private final InferenceOptions options;

    public InferenceOperatorFactory(EngineFactory engineFactory, InferenceOptions options) {
        this.engineFactory = engineFactory;
        this.options = options;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<InferenceOutcome>> T createStreamOperator(StreamOperatorParameters<InferenceOutcome> parameters) {
        return (T) new InferenceOperator(parameters, engineFactory, options);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return InferenceOperator.class;
    }
}
