package io.streamlm.operators.inference;

import io.streamlm.engine.Engine;
import java.io.Serializable;

/**
 * Builds the engine on the TaskManager. Shipped with the job graph, so it holds only a description
 * (model path, backend, sizes), never the engine itself.
 */
public interface EngineFactory extends Serializable {

    /**
     * Identifies the engine this factory builds: subtasks whose factories share a key share one engine
     * (see {@link SharedEngines}). Model path + backend + engine sizes.
     */
    String sharingKey();

    Engine create() throws Exception;
}
