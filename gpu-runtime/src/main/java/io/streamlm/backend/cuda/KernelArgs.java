package io.streamlm.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** Builds the kernelParams array of cuLaunchKernel in the order of the kernel's C signature. */
final class KernelArgs {
    private final List<Pointer> args = new ArrayList<>();

    static CUdeviceptr ptr(Buf b) {
        if (!(b.base() instanceof CUdeviceptr base)) {
            throw new IllegalArgumentException("not device memory: " + b.base().getClass().getSimpleName());
        }
        return b.offset() == 0 ? base : base.withByteOffset(b.offset() * b.elem().bytes);
    }

    KernelArgs buf(Buf b) {
        args.add(Pointer.to(ptr(b)));
        return this;
    }

    KernelArgs i32(int v) {
        args.add(Pointer.to(new int[] {v}));
        return this;
    }

    KernelArgs i64(long v) {
        args.add(Pointer.to(new long[] {v}));
        return this;
    }

    KernelArgs f32(float v) {
        args.add(Pointer.to(new float[] {v}));
        return this;
    }

    Pointer build() {
        return Pointer.to(args.toArray(new Pointer[0]));
    }
}
