package io.streamlm.backend.cpu;

import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Throwaway measurement harness (not a test): batched decode tok/s at several batch sizes and prefill tok/s
 * on a checkpoint, until {@code bench decode --batch} exists on this branch.
 * {@code java -cp <test + main classes> io.streamlm.backend.cpu.BatchBenchMain DIR THREADS [B,B..] [P,P..] [STEPS]};
 * prints medians (of 3 rounds' median step times) for decode, best and median of 3 runs for prefill.
 */
public final class BatchBenchMain {
    private static final int BLOCK = 16;

    public static void main(String[] a) {
        Path dir = Path.of(a[0]);
        int threads = Integer.parseInt(a[1]);
        int[] batches = a.length > 2 ? Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 4, 16, 64};
        int[] prefills = a.length > 3 ? Arrays.stream(a[3].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {128, 512};
        int steps = a.length > 4 ? Integer.parseInt(a[4]) : 8;
        try (CpuBackend b = CpuBackend.load(dir, threads)) {
            int maxB = Arrays.stream(batches).max().orElse(1);
            int ctx = 8 + (steps + 2) * 3 * 4;
            int blocksPerSeq = (Math.max(ctx, 512) + BLOCK - 1) / BLOCK + 1;
            b.allocateCaches(new CacheLayout(blocksPerSeq * maxB, BLOCK, maxB));
            int vocab = b.config().vocabSize();
            Random rnd = new Random(1);
            for (int p : prefills) {
                int[] prompt = new int[p];
                Arrays.setAll(prompt, i -> rnd.nextInt(vocab));
                int[] table = new int[blocksPerSeq];
                Arrays.setAll(table, i -> i);
                long[] ns = new long[3];
                for (int r = 0; r < 3; r++) {
                    b.resetState(0);
                    long t0 = System.nanoTime();
                    b.forward(List.of(new SeqChunk(prompt, 0, table, 0, true)));
                    ns[r] = System.nanoTime() - t0;
                }
                Arrays.sort(ns);
                System.out.printf("prefill %d: runs %s ms, best %.1f tok/s, median %.1f tok/s%n", p,
                        Arrays.toString(Arrays.stream(ns).map(x -> x / 1000000).toArray()), p / (ns[0] / 1e9), p / (ns[1] / 1e9));
            }
            for (int batch : batches) {
                int[][] tables = new int[batch][blocksPerSeq];
                for (int s = 0; s < batch; s++) {
                    final int base = s * blocksPerSeq;
                    Arrays.setAll(tables[s], i -> base + i);
                    b.resetState(s);
                }
                List<SeqChunk> pre = new ArrayList<>();
                for (int s = 0; s < batch; s++) {
                    int[] prompt = new int[8];
                    Arrays.setAll(prompt, i -> rnd.nextInt(vocab));
                    pre.add(new SeqChunk(prompt, 0, tables[s], s, true));
                }
                b.forward(pre);
                int pos = 8;
                int[] modes = {0}; // one kernel configuration; A/B runs put variants here
                long[][] meds = new long[modes.length][3];
                for (int round = 0; round < 3; round++) {
                    b.resetProfile();
                    for (int m = 0; m < modes.length; m++) {
                        long[] ns = new long[steps];
                        for (int it = 0; it < steps + 2; it++) {
                            List<SeqChunk> step = new ArrayList<>();
                            for (int s = 0; s < batch; s++) {
                                step.add(new SeqChunk(new int[] {rnd.nextInt(vocab)}, pos, tables[s], s, true));
                            }
                            long t0 = System.nanoTime();
                            b.forward(step);
                            long d = System.nanoTime() - t0;
                            if (it >= 2) {
                                ns[it - 2] = d;
                            }
                            pos++;
                        }
                        Arrays.sort(ns);
                        meds[m][round] = ns[steps / 2];
                    }
                }
                System.out.println("profile ms (last round, all modes): " + b.profileNanos().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue() / 1000000).toList());
                for (int m = 0; m < modes.length; m++) {
                    Arrays.sort(meds[m]);
                    double med = meds[m][1] / 1e9;
                    System.out.printf("decode batch %d (variant %d): median step %.1f ms = %.1f tok/s (round medians %s ms)%n",
                            batch, modes[m], med * 1e3, batch / med,
                            Arrays.toString(Arrays.stream(meds[m]).map(x -> x / 1000000).toArray()));
                }
            }
        }
    }
}
