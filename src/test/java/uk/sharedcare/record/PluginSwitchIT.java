package uk.sharedcare.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestPropertySource;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** The plugin is one switch: on, the server is a Shared Care Record; off, it is plain HAPI FHIR. */
class PluginSwitchIT {

    @Nested
    @PostgresFhirServerTest
    class PluginOn {

        @LocalServerPort
        int port;

        @Test
        void serverDescribesItselfAsSharedCareRecord() {
            CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                    .ofType(CapabilityStatement.class).execute();

            assertThat(metadata.getSoftware().getName()).isEqualTo("Shared Care Record");
        }

        @Test
        void pluginInputChecksApply() {
            var response = new FhirServerClient(port, Callers.drPatel().sign()).send("POST", "/Patient", "{\"resourceType\":\"Patient\"}", "text/plain");

            assertThat(response.status()).isEqualTo(415);
        }
    }

    @Nested
    @PostgresFhirServerTest
    @TestPropertySource(properties = "shared-care.enabled=false")
    class PluginOff {

        @LocalServerPort
        int port;

        @Autowired
        ApplicationContext context;

        @Test
        void serverIsPlainHapiFhir() {
            CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                    .ofType(CapabilityStatement.class).execute();

            assertThat(metadata.getSoftware().getName()).isEqualTo("HAPI FHIR Server");
            assertThat(context.getBeansOfType(SharedCareRecordConfiguration.class)).isEmpty();
        }

        @Test
        void pluginInputChecksDoNotApply() {
            var response = new FhirServerClient(port).send("POST", "/Patient", "{\"resourceType\":\"Patient\"}", "text/plain");

            assertThat(response.status()).as("HAPI's own answer to an unknown Content-Type").isEqualTo(400);
        }
    }
}
