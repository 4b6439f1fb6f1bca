package uk.sharedcare.server;

import java.net.InetAddress;

/**
 * Refuses to start a server without authentication on anything but a loopback address. Authentication comes
 * with the shared-care plugin; with the plugin switched off (plain HAPI, as the benchmarks run it) the FHIR API
 * is open, so it must never be reachable from another machine.
 */
final class LoopbackOnlyGuard {

    private LoopbackOnlyGuard() {}

    static void requireLoopback(InetAddress bindAddress) {
        if (bindAddress == null || !bindAddress.isLoopbackAddress()) {
            throw new IllegalStateException("Refusing to listen on "
                    + (bindAddress == null ? "all network interfaces" : bindAddress.getHostAddress())
                    + ": the FHIR API has no authentication (the shared-care plugin is off), so server.address must be a"
                    + " loopback address"
                    + " such as 127.0.0.1");
        }
    }
}
