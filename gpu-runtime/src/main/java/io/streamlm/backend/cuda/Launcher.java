package io.streamlm.backend.cuda;

/** Shared by the per-family launchers: finds a kernel of the family and launches it on the device's stream. */
abstract class Launcher {
    private final CudaDevice device;
    private final String family;

    Launcher(CudaDevice device, String family) {
        this.device = device;
        this.family = family;
    }

    final void launch(String kernel, int gx, int gy, int bx, int by, KernelArgs args) {
        launch(kernel, gx, gy, 1, bx, by, args);
    }

    final void launch(String kernel, int gx, int gy, int gz, int bx, int by, KernelArgs args) {
        if (gx < 1 || gy < 1 || gz < 1) {
            return; // an empty batch launches nothing (a zero grid is a launch error)
        }
        if (gy > 65535 || gz > 65535) {
            throw new CudaException(family + ":" + kernel + ": grid " + gx + "x" + gy + "x" + gz + " exceeds 65535 in y or z");
        }
        boolean timed = device.profiling();
        long t0 = 0;
        if (timed) {
            Driver.synchronize(device.stream);
            t0 = System.nanoTime();
        }
        Driver.launch(device.function(family, kernel), family + ":" + kernel, gx, gy, gz, bx, by, 1, device.stream,
                args.build());
        if (timed) {
            Driver.synchronize(device.stream);
            device.addProfile(kernel, (System.nanoTime() - t0) / 1e6);
        }
    }

    static int blocks(long n, int per) {
        long b = (n + per - 1) / per;
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " elements need more than 2^31 blocks");
        }
        return (int) b;
    }
}
