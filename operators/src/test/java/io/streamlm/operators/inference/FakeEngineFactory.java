package io.streamlm.operators.inference;

import io.streamlm.engine.Engine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Hands out {@link FakeEngine}s registered under a name (factories are serialized, engines are not). */
final class FakeEngineFactory implements EngineFactory {
    static final Map<String, FakeEngine> ENGINES = new ConcurrentHashMap<>();
    static final AtomicInteger NUM_CREATED = new AtomicInteger();
    private final String name;

    FakeEngineFactory(String name) {
        this.name = name;
    }

    @Override
    public String sharingKey() {
        return "fake:" + name;
    }

    @Override
    public Engine create() {
        NUM_CREATED.incrementAndGet();
        FakeEngine e = ENGINES.get(name);
        if (e == null) {
            throw new IllegalStateException("no fake engine registered as " + name);
        }
        return e;
    }
}
