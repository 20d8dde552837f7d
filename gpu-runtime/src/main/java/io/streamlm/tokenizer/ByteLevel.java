package io.streamlm.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The GPT-2 byte-level alphabet used by Qwen's tokenizer.json: every byte 0..255 is shown as one printable
 * code point (printable Latin-1 bytes map to themselves, the rest to U+0100 upwards), so a BPE vocabulary of
 * strings can cover arbitrary bytes.
 */
final class ByteLevel {
    /** byteToChar[b] = the code point that stands for byte b; [256]. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** charToByte[c] = the byte that code point c stands for, or -1; [0x0200]. */
    private static final short[] CHAR_TO_BYTE = new short[0x200];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {}

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte-level string for raw text (its UTF-8 bytes, one char per byte). */
    static String encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes a token string stands for, as the HF ByteLevel decoder computes them: if every char belongs
     * to the byte-level alphabet, the mapped bytes; otherwise (an added token such as one holding a plain
     * space) the token's own UTF-8 bytes.
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
