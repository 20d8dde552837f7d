package io.streamlm.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The one checked door to the CUDA driver API: every driver call in this package goes through here, and a
 * failing call becomes a {@link CudaException} naming the call, its arguments that matter and the CUresult.
 * Only the driver API is used (libcuda.so.1): JCublas and JNvrtc 12.x need CUDA 12 user-space libraries
 * that CUDA 13 machines do not have (STACK.md §6).
 */
final class Driver {
    private Driver() {}

    /** Turns a CUresult into an exception naming the call. */
    static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
        }
    }

    static void init() {
        check("cuInit(0)", JCudaDriver.cuInit(0));
    }

    static int deviceCount() {
        int[] n = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(n));
        return n[0];
    }

    static int driverVersion() {
        int[] v = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(v));
        return v[0];
    }

    static CUdevice device(int ordinal) {
        CUdevice d = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", JCudaDriver.cuDeviceGet(d, ordinal));
        return d;
    }

    static int attribute(CUdevice d, int attribute, String name) {
        int[] v = new int[1];
        check("cuDeviceGetAttribute(" + name + ")", JCudaDriver.cuDeviceGetAttribute(v, attribute, d));
        return v[0];
    }

    static String deviceName(CUdevice d) {
        byte[] b = new byte[256];
        check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(b, b.length, d));
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    static CUcontext primaryContext(CUdevice d) {
        CUcontext c = new CUcontext();
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(c, d));
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(c));
        return c;
    }

    static void setCurrent(CUcontext c) {
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(c));
    }

    /** Loads a cubin (raw bytes) or PTX (NUL-terminated text, JIT-compiled by the driver). */
    static CUmodule loadModule(String what, byte[] image) {
        CUmodule m = new CUmodule();
        check("cuModuleLoadData(" + what + ")", JCudaDriver.cuModuleLoadData(m, image));
        return m;
    }

    static CUfunction function(CUmodule m, String module, String name) {
        CUfunction f = new CUfunction();
        check("cuModuleGetFunction(" + module + ":" + name + ")", JCudaDriver.cuModuleGetFunction(f, m, name));
        return f;
    }

    static CUstream stream() {
        CUstream s = new CUstream();
        check("cuStreamCreate", JCudaDriver.cuStreamCreate(s, 0));
        return s;
    }

    static void synchronize(CUstream s) {
        check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(s));
    }

    static CUdeviceptr alloc(long bytes, String what) {
        CUdeviceptr p = new CUdeviceptr();
        check("cuMemAlloc(" + bytes + " bytes for " + what + ")", JCudaDriver.cuMemAlloc(p, Math.max(4, bytes)));
        return p;
    }

    static void free(CUdeviceptr p) {
        check("cuMemFree", JCudaDriver.cuMemFree(p));
    }

    /** [free, total] device memory in bytes. */
    static long[] memInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[] {free[0], total[0]};
    }

    static void copyHtoD(CUdeviceptr dst, Pointer src, long bytes, CUstream s) {
        check("cuMemcpyHtoDAsync(" + bytes + ")", JCudaDriver.cuMemcpyHtoDAsync(dst, src, bytes, s));
    }

    static void copyDtoH(Pointer dst, CUdeviceptr src, long bytes, CUstream s) {
        check("cuMemcpyDtoHAsync(" + bytes + ")", JCudaDriver.cuMemcpyDtoHAsync(dst, src, bytes, s));
    }

    static void copyDtoD(CUdeviceptr dst, CUdeviceptr src, long bytes, CUstream s) {
        check("cuMemcpyDtoDAsync(" + bytes + ")", JCudaDriver.cuMemcpyDtoDAsync(dst, src, bytes, s));
    }

    static void fill32(CUdeviceptr dst, int bits, long count, CUstream s) {
        check("cuMemsetD32Async(" + count + ")", JCudaDriver.cuMemsetD32Async(dst, bits, count, s));
    }

    static void launch(CUfunction f, String name, int gx, int gy, int gz, int bx, int by, int bz, CUstream s,
                       Pointer params) {
        check("cuLaunchKernel(" + name + " grid " + gx + "x" + gy + "x" + gz + " block " + bx + "x" + by + "x" + bz + ")",
                JCudaDriver.cuLaunchKernel(f, gx, gy, gz, bx, by, bz, 0, s, params, null));
    }

    static CUevent event() {
        CUevent e = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(e, 0));
        return e;
    }

    static void record(CUevent e, CUstream s) {
        check("cuEventRecord", JCudaDriver.cuEventRecord(e, s));
    }

    /** Milliseconds between two recorded events (waits for the second). */
    static float elapsedMillis(CUevent start, CUevent end) {
        check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(end));
        float[] ms = new float[1];
        check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(ms, start, end));
        return ms[0];
    }
}
