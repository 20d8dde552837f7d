package io.streamlm.backend.cuda;

/** Host twin of sampling.cu's sample_rows (same order of filters, same bisections, same Philox draw). */
final class SamplingTwin {
    private SamplingTwin() {}

    private static float fl(Buf b, int r) {
        return Float.intBitsToFloat(((int[]) b.base())[(int) b.offset() + r]);
    }

    private static int in(Buf b, int r) {
        return ((int[]) b.base())[(int) b.offset() + r];
    }

    private static long lg(Buf b, int r) {
        return ((long[]) b.base())[(int) b.offset() + r];
    }

    static void sample(Buf outToken, Buf outLogprob, Buf logits, int numRows, int vocab, SamplingBatch b) {
        float[] all = (float[]) logits.base();
        for (int r = 0; r < numRows; r++) {
            int base = (int) logits.offset() + r * vocab;
            float[] l = new float[vocab];
            System.arraycopy(all, base, l, 0, vocab);
            for (int e = in(b.penOff, r); e < in(b.penOff, r + 1); e++) {
                int id = in(b.penIds, e), cnt = in(b.penCounts, e);
                float v = l[id];
                v = v > 0 ? v / fl(b.repetition, r) : v * fl(b.repetition, r);
                if (cnt > 0) {
                    v -= fl(b.presence, r) + fl(b.frequency, r) * cnt;
                }
                l[id] = v;
            }
            int[] tok = new int[1];
            float[] lp = new float[1];
            one(l, fl(b.temperature, r), in(b.topK, r), fl(b.topP, r), fl(b.minP, r), lg(b.seed, r), lg(b.step, r), tok, lp);
            ((int[]) outToken.base())[(int) outToken.offset() + r] = tok[0];
            ((float[]) outLogprob.base())[(int) outLogprob.offset() + r] = lp[0];
            System.arraycopy(l, 0, all, base, vocab);
        }
    }

    /** Samples from one penalised row (overwritten with probabilities unless greedy). */
    static void one(float[] l, float temp, int topK, float topP, float minP, long seed, long step, int[] tok, float[] lp) {
        int vocab = l.length;
        int arg = -1;
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            if (l[i] > mx) {
                mx = l[i];
                arg = i;
            }
        }
        if (temp == 0f) {
            double z = 0;
            for (float v : l) {
                z += Math.exp(v - mx);
            }
            tok[0] = arg;
            lp[0] = (float) -Math.log(z);
            return;
        }
        double z = 0;
        for (float v : l) {
            z += (float) Math.exp((v - mx) / temp);
        }
        for (int i = 0; i < vocab; i++) {
            l[i] = (float) (Math.exp((l[i] - mx) / temp) / z);
        }
        float pmax = (float) (1 / z);
        float tauK = 0f;
        if (topK < vocab) {
            int lo = 0, hi = Float.floatToRawIntBits(pmax) + 1;
            while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                if (count(l, Float.intBitsToFloat(mid)) >= topK) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            tauK = Float.intBitsToFloat(lo);
        }
        float tau = tauK;
        if (topP < 1f) {
            double target = topP * mass(l, tauK);
            int lo = Float.floatToRawIntBits(tauK), hi = Float.floatToRawIntBits(pmax) + 1;
            while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                if (mass(l, Float.intBitsToFloat(mid)) >= target) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            tau = Float.intBitsToFloat(lo);
        }
        tau = Math.max(tau, minP * pmax);
        double kept = mass(l, tau);
        double u = Philox.uniform(seed, step) * kept;
        double run = 0;
        int last = -1, pick = -1;
        for (int i = 0; i < vocab && pick < 0; i++) {
            if (l[i] >= tau) {
                last = i;
                run += l[i];
                if (run > u) {
                    pick = i;
                }
            }
        }
        pick = pick >= 0 ? pick : last;
        tok[0] = pick;
        lp[0] = pick >= 0 ? (float) Math.log(l[pick] / kept) : Float.NaN;
    }

    private static int count(float[] p, float tau) {
        int n = 0;
        for (float v : p) {
            n += v >= tau ? 1 : 0;
        }
        return n;
    }

    private static double mass(float[] p, float tau) {
        double s = 0;
        for (float v : p) {
            s += v >= tau ? v : 0;
        }
        return s;
    }
}
