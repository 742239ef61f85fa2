package dev.durablestreams.auth;

import java.util.Locale;

/** What a grant permits on the streams under its prefix. {@link #ADMIN} implies every other action. */
public enum Action {
    /** GET and HEAD: catch-up and live reads. */
    READ,
    /** PUT (create) and POST (append, close). */
    WRITE,
    /** DELETE. */
    DELETE,
    /** Everything, plus the server's management routes. */
    ADMIN;

    /** The lower-case name used in configuration and token claims. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Action parse(String name) {
        for (Action a : values()) {
            if (a.configName().equals(name)) return a;
        }
        throw new IllegalArgumentException("unknown action '" + name + "' (read, write, delete, admin)");
    }
}
