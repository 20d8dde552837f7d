package io.streamlm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental detokenisation for one output stream: {@link #feed} takes one token id and returns the text
 * that became complete, holding back the bytes of a UTF-8 character that a later token will finish (a token
 * may carry half an emoji or a CJK character). Byte runs that can never become valid UTF-8 come out as
 * U+FFFD, as {@link Tokenizer#decode} does. Not thread-safe: one per stream.
 */
public final class StreamDecoder {
    /** tokenBytes[id] = the bytes token id decodes to, null for ids without a token; [vocabSize]. */
    private final byte[][] tokenBytes;
    /** Bytes of an incomplete trailing character; [pendingBytes]. */
    private byte[] pending = new byte[8];
    private int pendingBytes;

    StreamDecoder(byte[][] tokenBytes) {
        this.tokenBytes = tokenBytes;
    }

    /** Adds one token; returns the newly completed text (possibly empty, never a split character). */
    public String feed(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + tokenBytes.length + ")");
        }
        byte[] bytes = tokenBytes[id];
        if (pendingBytes + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingBytes + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingBytes, bytes.length);
        pendingBytes += bytes.length;
        int complete = completePrefix(pending, pendingBytes);
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingBytes - complete);
        pendingBytes -= complete;
        return text;
    }

    /** Ends the stream: returns whatever is held back (an unfinished character becomes U+FFFD). */
    public String flush() {
        String text = new String(pending, 0, pendingBytes, StandardCharsets.UTF_8);
        pendingBytes = 0;
        return text;
    }

    /**
     * Length of the longest prefix that ends on a character boundary: everything except a trailing lead byte
     * plus continuation bytes that are still short of the length the lead byte announces. A run that is
     * already invalid is released (it decodes to U+FFFD either way).
     */
    static int completePrefix(byte[] buf, int length) {
        int i = length - 1;
        int numContinuation = 0;
        while (i >= 0 && numContinuation < 3 && (buf[i] & 0xC0) == 0x80) {
            i--;
            numContinuation++;
        }
        if (i < 0) {
            return length;
        }
        int lead = buf[i] & 0xFF;
        int needed = lead >= 0xF0 && lead <= 0xF4 ? 3 : lead >= 0xE0 && lead <= 0xEF ? 2 : lead >= 0xC2 && lead <= 0xDF ? 1 : 0;
        if (needed > numContinuation && validSoFar(buf, i, numContinuation)) {
            return i; // an unfinished character: hold it back
        }
        return length;
    }

    /** Whether the continuation bytes after lead at {@code i} can still complete (no overlong / surrogate). */
    private static boolean validSoFar(byte[] buf, int i, int numContinuation) {
        if (numContinuation == 0) {
            return true;
        }
        int lead = buf[i] & 0xFF;
        int second = buf[i + 1] & 0xFF;
        return switch (lead) {
            case 0xE0 -> second >= 0xA0;
            case 0xED -> second <= 0x9F;
            case 0xF0 -> second >= 0x90;
            case 0xF4 -> second <= 0x8F;
            default -> true;
        };
    }
}
