package io.streamlm.backend.cuda;

import java.util.Optional;

/**
 * Whether this process can use a CUDA GPU, decided once: {@code cuInit(0)} must succeed and at least one
 * device must exist, and the jar must carry kernels. Any {@link Throwable} counts as "no": without
 * libcuda.so.1 the first JCuda call throws {@code UnsatisfiedLinkError} and every later one
 * {@code NoClassDefFoundError} (STACK.md §6), so the answer and its reason are cached.
 */
public final class CudaProbe {
    private static final Object LOCK = new Object();
    private static Optional<String> unavailableReason; // empty: available; guarded by LOCK

    private CudaProbe() {}

    /** True when a GPU, its driver and this jar's kernels are all present. */
    public static boolean available() {
        return reason().isEmpty();
    }

    /** Why the GPU backend cannot run here (empty when it can). */
    public static Optional<String> reason() {
        synchronized (LOCK) {
            if (unavailableReason == null) {
                unavailableReason = probe();
            }
            return unavailableReason;
        }
    }

    /** One line for logs and benchmark JSON: "cuda available" or "cuda unavailable: ...". */
    public static String describe() {
        return reason().map(r -> "cuda unavailable: " + r).orElse("cuda available");
    }

    private static Optional<String> probe() {
        Optional<String> kernels = KernelFiles.missingReason();
        if (kernels.isPresent()) {
            return kernels;
        }
        try {
            Driver.init();
            int n = Driver.deviceCount();
            if (n < 1) {
                return Optional.of("cuInit succeeded but the driver reports no CUDA device");
            }
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of(describe(t));
        }
    }

    /** One line: JCuda's load errors carry whole nested stack traces in their message. */
    private static String describe(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            all.append(c.getMessage()).append(' ');
        }
        if (all.indexOf("libcuda.so.1") >= 0) {
            return "no NVIDIA driver: libcuda.so.1 not found (" + t.getClass().getSimpleName() + " loading JCuda's driver binding)";
        }
        String first = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        String line = t.getClass().getSimpleName() + ": " + first;
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
