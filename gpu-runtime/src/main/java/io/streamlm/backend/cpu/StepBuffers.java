package io.streamlm.backend.cpu;

import io.streamlm.backend.SeqChunk;
import io.streamlm.model.ModelConfig;
import java.util.List;

/**
 * One step's batch (every chunk's tokens stacked into rows) and its activation buffers, grown to the
 * largest step seen and then reused, so a steady decode loop allocates nothing here.
 */
final class StepBuffers {
    private final ModelConfig c;
    int capacity;
    int numTokens;
    int numChunks;
    SeqChunk[] chunks = new SeqChunk[0];
    int[] chunkRow = new int[0];   // [numChunks] first row of each chunk
    int[] tokens = new int[0];     // [T]
    int[] positions = new int[0];  // [T] absolute position of each row
    int[] rowChunk = new int[0];   // [T] the chunk each row belongs to
    float[] ropeCos = new float[0]; // [T, rotaryDim / 2]
    float[] ropeSin = new float[0]; // [T, rotaryDim / 2]
    float[] x;        // [T, hidden] the residual stream
    float[] h;        // [T, hidden] normed input of a sub-block
    float[] tmp;      // [T, hidden] sub-block output
    float[] qkv;      // [T, convDim] GDN in_proj_qkv, then conv + SiLU in place of the copy in mixed
    float[] mixed;    // [T, convDim] GDN conv output
    float[] z;        // [T, Hv * dv] GDN output gate
    float[] ba;       // [T, Hv] GDN b, then beta
    float[] aa;       // [T, Hv] GDN a, then g
    float[] core;     // [T, max(Hv * dv, numHeads * headDim)] GDN / attention output before the out projection
    float[] qg;       // [T, numHeads * headDim * 2] attention per head [query | gate]
    float[] k;        // [T, kvDim]
    float[] v;        // [T, kvDim]
    float[] gate;     // [T, intermediate]
    float[] up;       // [T, intermediate]

    StepBuffers(ModelConfig c) {
        this.c = c;
        ensureCapacity(1);
    }

    void load(List<SeqChunk> list) {
        int t = 0;
        for (SeqChunk ch : list) {
            t += ch.numTokens();
        }
        ensureCapacity(t);
        numTokens = t;
        numChunks = list.size();
        if (chunks.length < numChunks) {
            chunks = new SeqChunk[numChunks];
            chunkRow = new int[numChunks];
        }
        int row = 0;
        for (int i = 0; i < numChunks; i++) {
            SeqChunk ch = list.get(i);
            chunks[i] = ch;
            chunkRow[i] = row;
            for (int j = 0; j < ch.numTokens(); j++) {
                tokens[row] = ch.tokens()[j];
                positions[row] = ch.startPos() + j;
                rowChunk[row] = i;
                row++;
            }
        }
    }

    private void ensureCapacity(int t) {
        if (t <= capacity) {
            return;
        }
        int n = Math.max(t, capacity * 2);
        int hidden = c.hiddenSize();
        int valueDim = c.linearNumValueHeads() * c.linearValueHeadDim();
        int attnDim = c.numAttentionHeads() * c.headDim();
        tokens = new int[n];
        positions = new int[n];
        rowChunk = new int[n];
        ropeCos = new float[n * (c.rotaryDim() / 2)];
        ropeSin = new float[n * (c.rotaryDim() / 2)];
        x = new float[n * hidden];
        h = new float[n * hidden];
        tmp = new float[n * hidden];
        qkv = new float[n * c.linearConvDim()];
        mixed = new float[n * c.linearConvDim()];
        z = new float[n * valueDim];
        ba = new float[n * c.linearNumValueHeads()];
        aa = new float[n * c.linearNumValueHeads()];
        core = new float[n * Math.max(valueDim, attnDim)];
        qg = new float[n * attnDim * 2];
        k = new float[n * c.kvDim()];
        v = new float[n * c.kvDim()];
        gate = new float[n * c.intermediateSize()];
        up = new float[n * c.intermediateSize()];
        capacity = n;
    }
}
