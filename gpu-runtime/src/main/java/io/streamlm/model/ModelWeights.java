package io.streamlm.model;

import java.util.List;

/**
 * The text decoder's weights, resolved from a checkpoint by name and checked against the config.
 *
 * @param config    the decoder's hyper-parameters
 * @param embedding embed_tokens.weight [vocab, hidden]
 * @param lmHead    lm_head.weight [vocab, hidden]; the embedding itself when tied
 * @param finalNorm norm.weight [hidden], zero-centred
 * @param layers    one per decoder layer, in order
 */
public record ModelWeights(ModelConfig config, Tensor embedding, Tensor lmHead, float[] finalNorm,
                           List<LayerWeights> layers) {
    public ModelWeights {
        layers = List.copyOf(layers);
        if (layers.size() != config.numLayers()) {
            throw new IllegalArgumentException(layers.size() + " layers for a config of " + config.numLayers());
        }
    }
}
