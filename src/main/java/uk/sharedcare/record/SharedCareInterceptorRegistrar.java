package uk.sharedcare.record;

import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.List;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Registers the plugin's HAPI interceptors and operation providers on the host's {@link RestfulServer} once every
 * bean exists, so the plugin needs nothing from the host but that bean. Each interceptor declares its own order with
 * {@code @Interceptor(order = ...)}.
 */
final class SharedCareInterceptorRegistrar implements SmartInitializingSingleton {

    private final RestfulServer server;
    private final List<Object> interceptors;
    private final List<Object> providers;

    SharedCareInterceptorRegistrar(RestfulServer server, List<Object> interceptors, List<Object> providers) {
        this.server = server;
        this.interceptors = List.copyOf(interceptors);
        this.providers = List.copyOf(providers);
    }

    @Override
    public void afterSingletonsInstantiated() {
        interceptors.forEach(server::registerInterceptor);
        server.registerProviders(providers);
    }

    List<Object> registered() {
        return interceptors;
    }
}
