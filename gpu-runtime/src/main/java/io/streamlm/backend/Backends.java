package io.streamlm.backend;

import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.backend.cuda.CudaBackend;
import io.streamlm.backend.cuda.CudaProbe;
import io.streamlm.backend.cuda.Precision;
import io.streamlm.model.ModelLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a model on the backend a user names: {@code cpu}, {@code cuda} (the GPU's bf16 fast path),
 * {@code cuda-f32} (the GPU with f32 products, the conformance mode) or {@code auto} (the GPU when
 * {@link CudaProbe} finds one, else the CPU). The CLI and the pipeline both come through here.
 */
public final class Backends {
    /** The names {@link #open} accepts. */
    public static final List<String> NAMES = List.of("auto", "cpu", "cuda", "cuda-f32");

    private Backends() {}

    /**
     * Which backend {@code name} resolves to on this machine, with the reason (for logs and benchmark JSON).
     *
     * @param kind   "cpu", "cuda" or "cuda-f32"
     * @param reason why, e.g. "auto: cuda unavailable: no NVIDIA driver ..."
     */
    public record Choice(String kind, String reason) {}

    public static Choice resolve(String name) {
        return switch (name) {
            case "cpu" -> new Choice("cpu", "requested");
            case "cuda", "cuda-f32" -> new Choice(name, "requested");
            case "auto" -> CudaProbe.available() ? new Choice("cuda", "auto: " + CudaProbe.describe())
                    : new Choice("cpu", "auto: " + CudaProbe.describe());
            default -> throw new IllegalArgumentException("unknown backend '" + name + "', expected one of " + NAMES);
        };
    }

    /**
     * Loads the checkpoint in {@code model} onto the chosen backend.
     *
     * @param numThreads CPU compute threads (the CPU backend only)
     */
    public static Backend open(Path model, String name, int numThreads) {
        Choice c = resolve(name);
        return switch (c.kind()) {
            case "cuda" -> CudaBackend.load(model, Precision.BF16);
            case "cuda-f32" -> CudaBackend.load(model, Precision.F32);
            default -> CpuBackend.create(ModelLoader.load(model), numThreads);
        };
    }
}
