package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ConstantHeadersTest {
    @Test
    void setsEveryLineReplacingWhatIsThereAndKeepsTheRest() {
        ConstantHeaders lines = new ConstantHeaders("X-A", "1", "X-B", "two words");
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("x-a", "old").add("X-A", "older").add("Content-Type", "text/plain");
        lines.setOn(h);
        lines.setOn(h); // twice: still one value each
        assertThat(h.getAll("X-A")).containsExactly("1");
        assertThat(h.getAll("x-b")).containsExactly("two words");
        assertThat(h.get("Content-Type")).isEqualTo("text/plain");
        assertThat(h.size()).isEqualTo(3);
    }

    @Test
    void aValueNettyWouldRefuseIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> new ConstantHeaders("X-A", "line\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
