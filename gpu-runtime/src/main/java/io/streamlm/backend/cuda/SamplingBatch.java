package io.streamlm.backend.cuda;

import io.streamlm.engine.SamplingParams;
import java.util.List;

/**
 * Per-row sampling parameters for {@code sample_rows}, packed for upload: f32 and i32 sections in one int32
 * array (floats as raw bits), seeds and step counters as u64.
 */
final class SamplingBatch {
    final int numRows;
    final int[] packed;   // [temperature | topK | topP | minP | repetition | presence | frequency | penOff(n+1) | penIds | penCounts]
    final long[] seedStep; // [seed (n) | step (n)]
    Buf temperature, topK, topP, minP, repetition, presence, frequency, penOff, penIds, penCounts, seed, step;

    SamplingBatch(List<SampleRow> rows, int vocab) {
        numRows = rows.size();
        int numPen = rows.stream().mapToInt(r -> r.penaltyIds().length).sum();
        packed = new int[8 * numRows + 1 + 2 * numPen];
        seedStep = new long[2 * numRows];
        int n = numRows, pen = 0;
        for (int i = 0; i < n; i++) {
            SampleRow r = rows.get(i);
            SamplingParams p = r.params();
            packed[i] = Float.floatToRawIntBits((float) p.temperature());
            packed[n + i] = p.topK().isPresent() ? Math.min(vocab, p.topK().getAsInt()) : vocab;
            packed[2 * n + i] = Float.floatToRawIntBits((float) p.topP());
            packed[3 * n + i] = Float.floatToRawIntBits((float) p.minP());
            packed[4 * n + i] = Float.floatToRawIntBits((float) p.repetitionPenalty());
            packed[5 * n + i] = Float.floatToRawIntBits((float) p.presencePenalty());
            packed[6 * n + i] = Float.floatToRawIntBits((float) p.frequencyPenalty());
            packed[7 * n + i] = pen;
            for (int j = 0; j < r.penaltyIds().length; j++) {
                int id = r.penaltyIds()[j];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("row " + i + ": penalty token " + id + " outside the vocabulary of " + vocab);
                }
                packed[8 * n + 1 + pen] = id;
                packed[8 * n + 1 + numPen + pen] = r.penaltyCounts()[j];
                pen++;
            }
            seedStep[i] = r.seed();
            seedStep[n + i] = r.step();
        }
        packed[8 * n] = pen;
    }

    /** Points the views into device copies of {@link #packed} (as i32) and {@link #seedStep} (as u64). */
    void bind(Buf ints, Buf longs) {
        int n = numRows;
        int numPen = (packed.length - 8 * n - 1) / 2;
        Buf f = new Buf(ints.base(), Buf.Elem.F32, ints.offset(), ints.length());
        temperature = f.at(0);
        topK = ints.at(n);
        topP = f.at(2L * n);
        minP = f.at(3L * n);
        repetition = f.at(4L * n);
        presence = f.at(5L * n);
        frequency = f.at(6L * n);
        penOff = ints.at(7L * n);
        penIds = ints.at(8L * n + 1);
        penCounts = ints.at(8L * n + 1 + numPen);
        seed = longs.at(0);
        step = longs.at(n);
    }
}
