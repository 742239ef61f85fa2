package dev.durablestreams.storage.rules;

/**
 * Where a fork branches off its source, as checked by {@link CreateRules#fork}.
 *
 * @param contentType the fork's content type (the request's, else the source's)
 * @param at the source offset the fork starts at
 * @param sourceTail the source's tail the fork was checked against
 * @param subOffset bytes (or JSON messages) of the source's record at {@code at} the fork takes; 0 for none
 */
public record ForkPoint(String contentType, long at, long sourceTail, long subOffset) {

    /** Whether the source's record starting at {@link #at} must be read for {@link CreateRules#subOffsetPrefix}. */
    public boolean needsRecord() {
        return subOffset > 0;
    }
}
