package io.streamlm.tokenizer;

/** Python string stripping as Jinja templates use it ({@code |trim}, {@code .strip('\n')}). */
final class PyStr {
    private PyStr() {}

    /** Python's {@code str.isspace()} for one code point: White_Space plus the separators Python counts. */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.getType(cp) == Character.SPACE_SEPARATOR
                || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    }

    /** {@code s.strip()} */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    static String strip(String s, char c) {
        return rstrip(lstrip(s, c), c);
    }

    static String lstrip(String s, char c) {
        int start = 0;
        while (start < s.length() && s.charAt(start) == c) {
            start++;
        }
        return s.substring(start);
    }

    static String rstrip(String s, char c) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == c) {
            end--;
        }
        return s.substring(0, end);
    }
}
