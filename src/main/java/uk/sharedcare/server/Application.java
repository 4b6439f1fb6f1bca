package uk.sharedcare.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import uk.sharedcare.record.SharedCareRecordConfiguration;

/**
 * The Shared Care Record server: a HAPI FHIR JPA server (R4) with the shared-care plugin.
 * Switching {@code shared-care.enabled} off leaves a plain HAPI JPA server, which the benchmarks compare against.
 */
@SpringBootApplication
@EnableConfigurationProperties(FhirServerProperties.class)
@Import({FhirServerConfig.class, SharedCareRecordConfiguration.class})
public class Application {

    public static void main(String[] args) {
        SpringApplication.run(Application.class, args);
    }
}
