package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlPolicyTest {
    private final WebhookUrlPolicy policy = new WebhookUrlPolicy(Set.of("hooks.internal"), h -> {
        if (h.equals("loopback.example")) return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        if (h.equals("private.example")) return new InetAddress[] {InetAddress.getByName("93.184.216.34"),
                InetAddress.getByName("10.0.0.7")};
        return new InetAddress[] {InetAddress.getByName("93.184.216.34")};
    });

    @ParameterizedTest
    @ValueSource(strings = {"http://10.0.0.1/hook", "https://10.0.0.1/hook", "https://172.16.5.4/", "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data", "https://127.1.2.3/",
            "https://[::1]/", "https://[fd00::1]/", "https://[fc12::5]/", "https://[fe80::1]/", "https://0.0.0.0/",
            "https://[::]/", "https://[::ffff:10.0.0.1]/", "https://100.64.0.1/", "http://example.com/hook",
            "ftp://example.com/", "not a url", "https:///nohost", "http://127.0.1.1/", "https://user@example.com/"})
    void rejected(String url) {
        assertThatThrownBy(() -> policy.validate(url)).isInstanceOfSatisfying(SubscriptionError.class,
                e -> assertThat(e.code()).isEqualTo("WEBHOOK_URL_REJECTED"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/hook", "http://localhost:8080/hook", "http://127.0.0.1:9/x",
            "http://127.0.0.42/", "https://127.0.0.1/", "https://[2606:4700::1111]/", "http://hooks.internal/x", "https://93.184.216.34/"})
    void accepted(String url) {
        assertThatCode(() -> policy.checkResolved(policy.validate(url))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://loopback.example/", "https://private.example/"})
    void namesResolvingToInternalAddressesAreRefusedAtDelivery(String url) {
        URI uri = policy.validate(url);
        assertThatThrownBy(() -> policy.checkResolved(uri)).isInstanceOf(SubscriptionError.class);
    }
}
