package uk.sharedcare.starterhost;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.LoggingInterceptor;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import uk.sharedcare.server.FhirServerConfig;
import uk.sharedcare.server.FhirServerProperties;

/**
 * A HAPI FHIR JPA host set up the way hapi-fhir-jpaserver-starter is, not the way this project's own server is:
 * every R4 resource type, sequential numeric ids, tags stored apart from the resource (HAPI's default), expunge
 * and multiple delete on, a servlet filter, an access log and actuator endpoints of its own, and the plugin found
 * by component scanning its package (the starter's {@code hapi.fhir.custom-bean-packages}) rather than imported.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties(FhirServerProperties.class)
@Import(FhirServerConfig.class)
@ComponentScan("uk.sharedcare.record")
public class StarterLikeHost {

    /** The header the host's own filter puts on every answer. */
    public static final String HOST_FILTER_HEADER = "X-Starter-Host";

    @Bean
    static BeanPostProcessor starterStorageSettings() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof JpaStorageSettings settings) {
                    settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.SEQUENTIAL_NUMERIC);
                    settings.setTagStorageMode(JpaStorageSettings.TagStorageModeEnum.VERSIONED);
                    settings.setExpungeEnabled(true);
                    settings.setAllowMultipleDelete(true);
                }
                return bean;
            }
        };
    }

    /** The starter's access log: HAPI's LoggingInterceptor with the resource ids and parameters in its line. */
    static final String STARTER_ACCESS_LINE = "Path[${servletPath}] Source[${requestHeader.x-forwarded-for}]"
            + " Operation[${operationType} ${operationName} ${idOrResourceName}] UA[${requestHeader.user-agent}]"
            + " Params[${requestParameters}] ResponseEncoding[${responseEncodingNoDefault}]";

    @Bean
    static BeanPostProcessor starterAccessLog() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof RestfulServer server) {
                    LoggingInterceptor accessLog = new LoggingInterceptor();
                    accessLog.setLoggerName("fhirtest.access");
                    accessLog.setMessageFormat(STARTER_ACCESS_LINE);
                    accessLog.setLogExceptions(true);
                    accessLog.setErrorMessageFormat("ERROR - ${requestVerb} ${requestUrl}");
                    server.registerInterceptor(accessLog);
                }
                return bean;
            }
        };
    }

    @Bean
    FilterRegistrationBean<Filter> hostFilter() {
        Filter stamp = (request, response, chain) -> {
            ((HttpServletResponse) response).setHeader(HOST_FILTER_HEADER, "yes");
            chain.doFilter(request, response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(stamp);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
