package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LoopbackOnlyGuardTest {

    @Test
    void unauthenticatedServerMayListenOnLoopback() throws Exception {
        assertThatCode(() -> LoopbackOnlyGuard.requireLoopback(InetAddress.getByName("127.0.0.1")))
                .doesNotThrowAnyException();
        assertThatCode(() -> LoopbackOnlyGuard.requireLoopback(InetAddress.getByName("::1")))
                .doesNotThrowAnyException();
    }

    @Test
    void unauthenticatedServerRefusesEveryInterface() {
        assertThatThrownBy(() -> LoopbackOnlyGuard.requireLoopback(null))
                .hasMessageContaining("Refusing to listen on all network interfaces");
    }

    @Test
    void unauthenticatedServerRefusesARoutableAddress() throws Exception {
        InetAddress routable = InetAddress.getByName("192.0.2.10");

        assertThatThrownBy(() -> LoopbackOnlyGuard.requireLoopback(routable))
                .hasMessageContaining("Refusing to listen on 192.0.2.10")
                .hasMessageContaining("no authentication");
    }
}
