package dev.durablestreams.protocol;

import java.util.Locale;

/** Content-type rules: comparison ignores case and parameters; the stored type is echoed verbatim. */
public final class MediaType {
    public static final String DEFAULT = "application/octet-stream";

    private MediaType() {}

    /** The essence of a media type: lower case, without parameters or surrounding blanks. */
    public static String essence(String contentType) {
        if (contentType == null) return "";
        int semi = contentType.indexOf(';');
        String base = semi >= 0 ? contentType.substring(0, semi) : contentType;
        return base.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * True when the value has the syntax of RFC 9110 section 8.3.1:
     * {@code type "/" subtype *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] )}.
     */
    public static boolean isValid(String value) {
        int n = value.length();
        int i = token(value, 0);
        if (i == 0 || i >= n || value.charAt(i) != '/') return false;
        int j = token(value, i + 1);
        if (j == i + 1) return false;
        i = j;
        while (true) {
            i = blanks(value, i);
            if (i == n) return true;
            if (value.charAt(i) != ';') return false;
            i = blanks(value, i + 1);
            if (i == n || value.charAt(i) == ';') continue; // an empty parameter is allowed
            j = token(value, i);
            if (j == i || j >= n || value.charAt(j) != '=') return false;
            i = j + 1;
            if (i < n && value.charAt(i) == '"') {
                i = quoted(value, i);
                if (i < 0) return false;
            } else {
                j = token(value, i);
                if (j == i) return false;
                i = j;
            }
        }
    }

    private static int token(String s, int i) {
        while (i < s.length() && isTokenChar(s.charAt(i))) i++;
        return i;
    }

    /** RFC 9110 tchar, by ASCII code: every append's Content-Type is checked, so a table rather than a search. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private static boolean isTokenChar(char c) {
        return c < 128 && TCHAR[c];
    }

    private static int blanks(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return i;
    }

    /** The index after the quoted string starting at {@code i}, or -1 when it is malformed. */
    private static int quoted(String s, int i) {
        for (i++; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') return i + 1;
            if (c == '\\') {
                i++;
                if (i >= s.length()) return -1;
                c = s.charAt(i);
                if (c != '\t' && (c < 0x20 || c == 0x7F)) return -1;
            } else if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
                return -1;
            }
        }
        return -1;
    }

    public static boolean sameType(String a, String b) {
        if (a != null && a.equals(b)) return true; // the usual append: the stream's own type, verbatim
        return essence(a).equals(essence(b));
    }

    /** JSON mode applies to {@code application/json} only. */
    public static boolean isJson(String contentType) {
        return essence(contentType).equals("application/json");
    }

    /** SSE carries text and JSON as-is and everything else base64-encoded. */
    public static boolean isSseText(String contentType) {
        String e = essence(contentType);
        return e.startsWith("text/") || e.equals("application/json");
    }
}
