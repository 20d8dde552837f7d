package io.streamlm.engine;

import java.nio.file.Path;

/** Test bridge for other packages: the engine tests' small generated checkpoint. */
public final class EngineCheckpoints {
    private EngineCheckpoints() {}

    public static Path tiny() throws Exception {
        return EngineTestSupport.checkpoint();
    }
}
