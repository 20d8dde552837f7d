package io.streamlm.schemas.serde;

import java.io.Serializable;
import java.util.Optional;
import java.util.Set;

/**
 * What the validator needs to know about prompt templates (the pipeline owns them): the variables a registered
 * template requires, or empty if no template has that id.
 */
@FunctionalInterface
public interface TemplateCatalog extends Serializable {

    Optional<Set<String>> requiredVariables(String templateId);
}
