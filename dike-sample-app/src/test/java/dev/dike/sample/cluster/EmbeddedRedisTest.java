package dev.dike.sample.cluster;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code sample.redis.embedded=true} with settings it cannot honour fails at once, naming the setting to change. */
class EmbeddedRedisTest {

    @Test
    void aTakenPortNamesThePropertyAndHowToJoinTheRedisThere() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> new EmbeddedRedis("localhost", taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " on 127.0.0.1 is taken")
                    .hasMessageContaining("without --sample.redis.embedded")
                    .hasMessageContaining("spring.data.redis.port");
        }
    }

    @Test
    void aRemoteHostNamesTheProperty() {
        assertThatThrownBy(() -> new EmbeddedRedis("192.0.2.1", 6379))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spring.data.redis points at host '192.0.2.1'");
    }

    @Test
    void noFixedPortNamesTheProperty() {
        assertThatThrownBy(() -> new EmbeddedRedis("127.0.0.1", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spring.data.redis.port is 0");
    }
}
