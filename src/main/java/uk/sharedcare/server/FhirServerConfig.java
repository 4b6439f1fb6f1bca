package uk.sharedcare.server;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.subscription.match.config.SubscriptionProcessorConfig;
import ca.uhn.fhir.jpa.subscription.submit.config.SubscriptionSubmitterConfig;
import ca.uhn.fhir.narrative2.NullNarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The HAPI FHIR JPA server for R4: HAPI's own JPA, batch and subscription configuration, and one
 * {@link RestfulServer} served under {@code fhir-server.base-path}. Only the resource types listed in
 * {@code fhir-server.resource-types} exist on this server, and only the CRUD, search, history and
 * system operations are registered: bulk export, GraphQL, terminology upload and the like are left out
 * until an issue adds them with their access rules.
 */
@Configuration(proxyBeanMethods = false)
@Import({
    JpaPersistenceConfig.class,
    ThreadPoolFactoryConfig.class,
    JpaR4Config.class,
    HapiJpaConfig.class,
    JpaBatch2Config.class,
    Batch2JobsConfig.class,
    SubscriptionSubmitterConfig.class,
    SubscriptionProcessorConfig.class,
    SubscriptionChannelConfig.class
})
public class FhirServerConfig {

    @Bean
    RestfulServer restfulServer(
            FhirServerProperties properties,
            IFhirSystemDao<?, ?> systemDao,
            DaoRegistry daoRegistry,
            ResourceProviderFactory resourceProviders,
            IJpaSystemProvider systemProvider,
            JpaStorageSettings storageSettings,
            ISearchParamRegistry searchParamRegistry,
            IValidationSupport validationSupport,
            DatabaseBackedPagingProvider pagingProvider,
            ObjectProvider<BulkDataExportProvider> hapiBulkExport,
            ListableBeanFactory beans) {
        boolean plainBulkExport = properties.hapiBulkExport();
        if (plainBulkExport && beans.getBeanNamesForType(SecurityFilterChain.class, true, false).length > 0) {
            throw new IllegalStateException("fhir-server.hapi-bulk-export is for plain HAPI (the plugin off) only:"
                    + " HAPI's export neither de-identifies nor applies anyone's choices");
        }
        if (!properties.resourceTypes().isEmpty()) {
            List<String> types = new ArrayList<>(properties.resourceTypes());
            if (plainBulkExport) {
                types.add("Binary"); // where HAPI's export keeps its files
            }
            daoRegistry.setSupportedResourceTypes(types);
        }
        systemDao.getContext().setNarrativeGenerator(new NullNarrativeGenerator());

        RestfulServer server = new RestfulServer(systemDao.getContext());
        server.registerProviders(resourceProviders.createProviders());
        server.registerProvider(systemProvider);
        if (plainBulkExport) {
            server.registerProvider(hapiBulkExport.getObject());
        }
        JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(
                server, systemDao, storageSettings, searchParamRegistry, validationSupport);
        capabilities.setImplementationDescription("Shared Care Record");
        server.setServerConformanceProvider(capabilities);

        pagingProvider.setDefaultPageSize(properties.defaultPageSize());
        pagingProvider.setMaximumPageSize(properties.maxPageSize());
        server.setPagingProvider(pagingProvider);
        server.setDefaultResponseEncoding(EncodingEnum.JSON);
        server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
        return server;
    }

    @Bean
    ServletRegistrationBean<RestfulServer> fhirServlet(
            RestfulServer server,
            FhirServerProperties properties,
            ServerProperties web,
            ListableBeanFactory beans) {
        // Asks by type without creating the chain, which itself depends on this servlet's mapping.
        boolean authenticated = beans.getBeanNamesForType(SecurityFilterChain.class, true, false).length > 0;
        if (!authenticated) {
            LoopbackOnlyGuard.requireLoopback(web.getAddress());
        }
        ServletRegistrationBean<RestfulServer> registration =
                new ServletRegistrationBean<>(server, properties.basePath() + "/*");
        registration.setName("fhir");
        registration.setLoadOnStartup(1);
        return registration;
    }
}
