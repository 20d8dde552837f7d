package io.streamlm.model;

import java.util.Optional;

/** Element types of checkpoint tensors, named as safetensors names them. */
public enum DType {
    BF16(2),
    F16(2),
    F32(4);

    private final int sizeBytes;

    DType(int sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    /** The dtype for a safetensors header string, or empty when this runtime cannot compute with it. */
    public static Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
