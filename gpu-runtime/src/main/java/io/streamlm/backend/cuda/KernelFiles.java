package io.streamlm.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The compiled kernels this jar carries, as the build wrote them (src/main/cuda/compile.sh): for every
 * family {@code cuda/<family>.sm_<NN>.cubin} per architecture plus {@code cuda/<family>.compute_<NN>.ptx},
 * listed in {@code cuda/kernels.properties}. Picks the file for a device's compute capability: the newest
 * cubin of the same major version not newer than the device (cubins run on later minor versions of their
 * major), else the PTX, JIT-compiled by the driver, for GPUs newer than every cubin.
 */
public final class KernelFiles {
    static final String DIR = "cuda/";
    static final String MANIFEST = DIR + "kernels.properties";
    static final String NO_NVCC = "built without nvcc: no CUDA kernels in this jar";

    /**
     * @param families   kernel families (one .cu file each)
     * @param cubinArchs SM versions with cubins, e.g. 80, 89, 90
     * @param ptxArch    the virtual architecture of the PTX fallback, e.g. 90
     */
    public record Manifest(List<String> families, List<Integer> cubinArchs, int ptxArch) {}

    /** Which file to load, and whether it is PTX (needs the driver's JIT). */
    public record Choice(String resource, boolean ptx) {}

    private KernelFiles() {}

    /** The manifest, or empty when the jar was built without nvcc. */
    public static Optional<Manifest> manifest() {
        try (InputStream in = KernelFiles.class.getClassLoader().getResourceAsStream(MANIFEST)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            List<String> families = List.of(p.getProperty("families", "").split(","));
            List<Integer> archs = new ArrayList<>();
            for (String a : p.getProperty("cubinArchs", "").split(",")) {
                archs.add(Integer.parseInt(a.trim()));
            }
            return Optional.of(new Manifest(families, archs, Integer.parseInt(p.getProperty("ptxArch").trim())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MANIFEST, e);
        }
    }

    /** Why no kernels can be loaded from this jar (empty when they can). */
    static Optional<String> missingReason() {
        return manifest().isPresent() ? Optional.empty() : Optional.of(NO_NVCC);
    }

    /** The file of {@code family} for a device of compute capability {@code major.minor}. */
    public static Choice choose(Manifest m, String family, int major, int minor) {
        int sm = 10 * major + minor;
        int best = -1;
        for (int a : m.cubinArchs()) {
            if (a / 10 == major && a % 10 <= minor && a > best) {
                best = a;
            }
        }
        if (best >= 0) {
            return new Choice(DIR + family + ".sm_" + best + ".cubin", false);
        }
        if (sm >= m.ptxArch()) {
            return new Choice(DIR + family + ".compute_" + m.ptxArch() + ".ptx", true);
        }
        throw new CudaException("GPU of compute capability " + major + "." + minor + " is not supported: kernels are built for sm_"
                + m.cubinArchs() + " and PTX compute_" + m.ptxArch() + " (bf16 tensor cores need sm_80 or newer)");
    }

    /** The bytes of a kernel file; PTX gets the NUL terminator cuModuleLoadData expects. */
    static byte[] read(Choice c) {
        try (InputStream in = KernelFiles.class.getClassLoader().getResourceAsStream(c.resource())) {
            if (in == null) {
                throw new CudaException("kernel file " + c.resource() + " missing from the jar although "
                        + MANIFEST + " lists it: rebuild gpu-runtime");
            }
            byte[] b = in.readAllBytes();
            return c.ptx() ? Arrays.copyOf(b, b.length + 1) : b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + c.resource(), e);
        }
    }
}
