package uk.sharedcare.server;

import java.net.InetAddress;

/**
 * Refuses to start the server on anything but a loopback address. The FHIR API has no authentication until the
 * identity work lands, so an open server must never be reachable from another machine.
 */
final class LoopbackOnlyGuard {

    private LoopbackOnlyGuard() {}

    static void requireLoopback(InetAddress bindAddress) {
        if (bindAddress == null || !bindAddress.isLoopbackAddress()) {
            throw new IllegalStateException("Refusing to listen on "
                    + (bindAddress == null ? "all network interfaces" : bindAddress.getHostAddress())
                    + ": the FHIR API has no authentication yet, so server.address must be a loopback address"
                    + " such as 127.0.0.1");
        }
    }
}
