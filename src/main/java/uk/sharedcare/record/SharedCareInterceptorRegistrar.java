package uk.sharedcare.record;

import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.IResourceProvider;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
        replaceHostProvidersOfTheSameType();
        server.registerProviders(providers);
    }

    /**
     * A resource type the plugin serves itself (AuditEvent, from the audit ledger) replaces the host's provider for
     * it, which would serve HAPI's own table of that type.
     */
    private void replaceHostProvidersOfTheSameType() {
        Set<String> ownTypes = providers.stream().filter(IResourceProvider.class::isInstance)
                .map(p -> ((IResourceProvider) p).getResourceType().getSimpleName()).collect(Collectors.toSet());
        List<IResourceProvider> replaced = server.getResourceProviders().stream()
                .filter(p -> ownTypes.contains(p.getResourceType().getSimpleName()))
                .filter(p -> !providers.contains(p))
                .toList();
        server.unregisterProviders(List.copyOf(replaced));
    }

    List<Object> registered() {
        return interceptors;
    }
}
