package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobAndRetryTest {
    @Test
    void starMatchesOneSegmentAndDoubleStarAnyNumber() {
        assertThat(Glob.of("events/*").matches("events/a")).isTrue();
        assertThat(Glob.of("events/*").matches("events/a/b")).isFalse();
        assertThat(Glob.of("events/*").matches("events")).isFalse();
        assertThat(Glob.of("events/**").matches("events")).isTrue();
        assertThat(Glob.of("events/**").matches("events/a/b/c")).isTrue();
        assertThat(Glob.of("**/x").matches("x")).isTrue();
        assertThat(Glob.of("**/x").matches("a/b/x")).isTrue();
        assertThat(Glob.of("**/x").matches("a/b/y")).isFalse();
        assertThat(Glob.of("a/**/z").matches("a/z")).isTrue();
        assertThat(Glob.of("a/**/z").matches("a/b/c/z")).isTrue();
        assertThat(Glob.of("a/*/z").matches("a/z")).isFalse();
        assertThat(Glob.of("**").matches("anything/at/all")).isTrue();
        assertThat(Glob.of("exact/path").matches("exact/path")).isTrue();
        assertThat(Glob.of("exact/path").matches("exact/pat")).isFalse();
        assertThatThrownBy(() -> Glob.of("a//b")).isInstanceOf(SubscriptionError.class);
        assertThatThrownBy(() -> Glob.of("/a")).isInstanceOf(SubscriptionError.class);
    }

    @Test
    void backoffDoublesFromOneSecondToSixtyWithTwentyPercentJitter() {
        assertThat(RetryPolicy.delayMillis(1, 0.5)).isEqualTo(1000);
        assertThat(RetryPolicy.delayMillis(2, 0.5)).isEqualTo(2000);
        assertThat(RetryPolicy.delayMillis(6, 0.5)).isEqualTo(32000);
        assertThat(RetryPolicy.delayMillis(7, 0.5)).isEqualTo(60000);
        assertThat(RetryPolicy.delayMillis(1000, 0.5)).isEqualTo(60000);
        assertThat(RetryPolicy.delayMillis(1, 0.0)).isEqualTo(800);
        assertThat(RetryPolicy.delayMillis(1, 0.999999)).isEqualTo(1200);
        assertThat(RetryPolicy.delayMillis(30, 0.0)).isEqualTo(48000);
    }
}
