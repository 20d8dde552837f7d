package io.streamlm.backend.cuda;

import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * One GPU as the backend uses it: its primary context, one stream (every launch and copy is ordered on it)
 * and the kernel modules, loaded on first use from the file {@link KernelFiles#choose} picks for this
 * device's compute capability.
 */
final class CudaDevice {
    final CUdevice device;
    final CUcontext context;
    final CUstream stream;
    final int ccMajor;
    final int ccMinor;
    final int numSms;
    final String name;
    private final KernelFiles.Manifest manifest;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, KernelFiles.Choice> loaded = new HashMap<>();
    private Map<String, double[]> profile; // kernel -> {total ms, launches} while profiling, else null

    /** Starts timing every launch (each one is synchronised: for diagnosis, never for benchmark figures). */
    synchronized void startProfile() {
        profile = new java.util.TreeMap<>();
    }

    /** Stops timing; returns kernel -> {total ms, launches}. */
    synchronized Map<String, double[]> stopProfile() {
        Map<String, double[]> p = profile;
        profile = null;
        return p == null ? Map.of() : p;
    }

    synchronized boolean profiling() {
        return profile != null;
    }

    synchronized void addProfile(String kernel, double ms) {
        double[] e = profile.computeIfAbsent(kernel, k -> new double[2]);
        e[0] += ms;
        e[1] += 1;
    }

    private CudaDevice(int ordinal) {
        manifest = KernelFiles.manifest().orElseThrow(() -> new CudaException(KernelFiles.NO_NVCC));
        Driver.init();
        device = Driver.device(ordinal);
        ccMajor = Driver.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "cc major");
        ccMinor = Driver.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "cc minor");
        numSms = Driver.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "SM count");
        name = Driver.deviceName(device);
        context = Driver.primaryContext(device);
        stream = Driver.stream();
    }

    /** Opens device 0; throws {@link CudaException} with the probe's reason when there is none. */
    static CudaDevice open() {
        CudaProbe.reason().ifPresent(r -> {
            throw new CudaException("the CUDA backend cannot run here: " + r);
        });
        return new CudaDevice(0);
    }

    /** The kernel {@code name} of kernel family {@code family} (the .cu file's base name). */
    synchronized CUfunction function(String family, String name) {
        String key = family + ":" + name;
        CUfunction f = functions.get(key);
        if (f == null) {
            CUmodule m = modules.computeIfAbsent(family, this::load);
            f = Driver.function(m, family, name);
            functions.put(key, f);
        }
        return f;
    }

    /**
     * Loads the family's file for this device; if a cubin is refused (e.g. a driver older than the nvcc
     * that built it), tries the PTX through the driver's JIT before giving up with both reasons.
     */
    private CUmodule load(String family) {
        KernelFiles.Choice c = KernelFiles.choose(manifest, family, ccMajor, ccMinor);
        try {
            CUmodule m = Driver.loadModule(c.resource(), KernelFiles.read(c));
            loaded.put(family, c);
            return m;
        } catch (CudaException cubinError) {
            if (c.ptx()) {
                throw cubinError;
            }
            KernelFiles.Choice ptx = new KernelFiles.Choice(KernelFiles.DIR + family + ".compute_" + manifest.ptxArch() + ".ptx", true);
            try {
                CUmodule m = Driver.loadModule(ptx.resource(), KernelFiles.read(ptx));
                loaded.put(family, ptx);
                return m;
            } catch (CudaException ptxError) {
                throw new CudaException("cannot load kernels " + family + ": " + cubinError.getMessage() + "; PTX fallback: "
                        + ptxError.getMessage() + " (driver version " + Driver.driverVersion() + ")");
            }
        }
    }

    /** Which file each loaded family came from (for benchmark JSON). */
    synchronized Map<String, String> loadedFiles() {
        Map<String, String> out = new HashMap<>();
        loaded.forEach((k, v) -> out.put(k, v.resource()));
        return out;
    }

    String describe() {
        return name + " (sm_" + ccMajor + ccMinor + ", " + numSms + " SMs)";
    }

    void makeCurrent() {
        Driver.setCurrent(context);
    }
}
