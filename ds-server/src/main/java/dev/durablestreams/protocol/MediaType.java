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

    public static boolean sameType(String a, String b) {
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
