package io.streamlm.backend.cuda;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Engine-like step sequences run on two backends side by side; returns the worst relative logits difference. */
final class Scenarios {
    private Scenarios() {}

    /**
     * Three sequences with shuffled block tables: split prefills of different lengths batched with other
     * sequences' decode steps, then batched decode steps (so both attention kernels and multi-chunk
     * conv/delta-rule launches are exercised).
     */
    static double mixedBatches(Backend a, Backend b, long seed) {
        Random rnd = new Random(seed);
        int vocab = a.config().vocabSize(), blockSize = 4, numBlocks = 48;
        CacheLayout layout = new CacheLayout(numBlocks, blockSize, 4);
        a.allocateCaches(layout);
        b.allocateCaches(layout);
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < numBlocks; i++) {
            free.add(i);
        }
        java.util.Collections.shuffle(free, rnd);
        int[][] tables = new int[3][12];
        for (int s = 0; s < 3; s++) {
            for (int j = 0; j < 12; j++) {
                tables[s][j] = free.get(s * 12 + j);
            }
        }
        int[] pos = new int[3];
        int[] lens = {19, 7, 12};
        double worst = 0;
        for (int step = 0; step < 6; step++) {
            List<SeqChunk> chunks = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                int n = pos[s] < lens[s] ? Math.min(lens[s] - pos[s], 3 + rnd.nextInt(9)) : 1;
                int[] toks = new int[n];
                for (int i = 0; i < n; i++) {
                    toks[i] = rnd.nextInt(vocab);
                }
                chunks.add(new SeqChunk(toks, pos[s], tables[s], s, true));
                pos[s] += n;
            }
            float[][] ra = a.forward(chunks);
            float[][] rb = b.forward(chunks);
            for (int r = 0; r < ra.length; r++) {
                worst = Math.max(worst, TwinForwardTest.relDiff(ra[r], rb[r]));
            }
        }
        return worst;
    }
}
