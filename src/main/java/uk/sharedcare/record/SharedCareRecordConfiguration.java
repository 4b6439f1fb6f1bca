package uk.sharedcare.record;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import uk.sharedcare.record.access.CorsProperties;
import uk.sharedcare.record.access.CustodianAttribution;
import uk.sharedcare.record.access.IdentityProperties;
import uk.sharedcare.record.access.SecurityConfig;
import uk.sharedcare.record.audit.AuditConfig.AuditRecording;
import uk.sharedcare.record.audit.AuditConfig;
import uk.sharedcare.record.consent.enforcement.ConsentConfig.ConsentEnforcement;
import uk.sharedcare.record.consent.enforcement.ConsentConfig;
import uk.sharedcare.record.export.ExportConfig.BulkExport;
import uk.sharedcare.record.settings.SettingsConfig;
import uk.sharedcare.record.care.CareConfig;
import uk.sharedcare.record.notify.NotificationsConfig;
import uk.sharedcare.record.care.CareConfig.CareOperations;
import uk.sharedcare.record.settings.SettingsConfig.SettingsOperations;
import uk.sharedcare.record.export.ExportConfig;
import uk.sharedcare.record.http.FhirClientRequests;
import uk.sharedcare.record.http.FhirServletMapping;
import uk.sharedcare.record.http.OperationOutcomeWriter;
import uk.sharedcare.record.http.RequestLogsWithoutIdentifiers;
import uk.sharedcare.record.http.StoredSearchesOnly;
import uk.sharedcare.record.input.RequestBodyGuard;
import uk.sharedcare.record.profiles.ProfilesConfig.ProfileEnforcement;
import uk.sharedcare.record.profiles.ProfilesConfig;

/**
 * The one entry point of the shared-care plugin. Import it into any HAPI FHIR JPA server that exposes its
 * {@link RestfulServer} as a bean (this project's server does; so does hapi-fhir-jpaserver-starter, through
 * {@code hapi.fhir.custom-bean-packages: uk.sharedcare.record}). With {@code shared-care.enabled: false}
 * nothing of the plugin is created.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
@EnableConfigurationProperties(SharedCareProperties.class)
@Import({SecurityConfig.class, ConsentConfig.class, AuditConfig.class, ExportConfig.class, ProfilesConfig.class,
        SettingsConfig.class, CareConfig.class, NotificationsConfig.class})
public class SharedCareRecordConfiguration {

    @Bean
    FilterRegistrationBean<RequestBodyGuard> requestBodyGuard(
            SharedCareProperties properties, FhirContext fhirContext, FhirServletMapping fhirServlet) {
        FilterRegistrationBean<RequestBodyGuard> registration = new FilterRegistrationBean<>(
                new RequestBodyGuard(properties.input().maxRequestBody().toBytes(), fhirContext));
        registration.setName("sharedCareRequestBodyGuard");
        registration.setUrlPatterns(fhirServlet.urlPatterns());
        return registration;
    }

    @Bean
    FilterRegistrationBean<StoredSearchesOnly> storedSearchesOnly(FhirServletMapping fhirServlet) {
        FilterRegistrationBean<StoredSearchesOnly> registration = new FilterRegistrationBean<>(
                new StoredSearchesOnly());
        registration.setName("sharedCareStoredSearchesOnly");
        registration.setUrlPatterns(fhirServlet.urlPatterns());
        return registration;
    }

    @Bean
    @ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
    FhirClientRequests fhirClientRequests(FhirContext fhirContext) {
        return new FhirClientRequests(new OperationOutcomeWriter(fhirContext));
    }

    @Bean
    CustodianAttribution custodianAttribution() {
        return new CustodianAttribution();
    }

    @Bean
    FhirServletMapping fhirServletMapping(RestfulServer server, List<ServletRegistrationBean<?>> servlets) {
        return FhirServletMapping.of(server, servlets);
    }

    @Bean
    SharedCareCapabilities sharedCareCapabilities(IdentityProperties identity, CorsProperties cors) {
        return new SharedCareCapabilities(BuildVersion.read(), identity, cors);
    }

    @Bean
    SharedCareInterceptorRegistrar sharedCareInterceptorRegistrar(
            RestfulServer server,
            SharedCareCapabilities capabilities,
            CustodianAttribution custodian,
            ConsentEnforcement consent,
            AuditRecording audit,
            BulkExport export,
            ProfileEnforcement profiles,
            SettingsOperations settings,
            CareOperations care) {
        List<Object> interceptors = new ArrayList<>(List.of(capabilities, custodian,
                new RequestLogsWithoutIdentifiers()));
        interceptors.addAll(consent.interceptors());
        interceptors.addAll(profiles.interceptors());
        interceptors.addAll(audit.interceptors());
        interceptors.addAll(care.interceptors());
        List<Object> providers = new ArrayList<>(consent.providers());
        providers.addAll(audit.providers());
        providers.addAll(export.providers());
        providers.addAll(settings.providers());
        providers.addAll(care.providers());
        return new SharedCareInterceptorRegistrar(server, interceptors, providers);
    }
}
