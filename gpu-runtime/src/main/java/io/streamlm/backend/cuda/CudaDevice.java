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
            CUmodule m = modules.computeIfAbsent(family, fam -> {
                KernelFiles.Choice c = KernelFiles.choose(manifest, fam, ccMajor, ccMinor);
                loaded.put(fam, c);
                return Driver.loadModule(c.resource(), KernelFiles.read(c));
            });
            f = Driver.function(m, family, name);
            functions.put(key, f);
        }
        return f;
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
