package uk.sharedcare.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** The quick start's demo borough loads into the record, keeps its custodians, and loading it again changes nothing. */
@PostgresFhirServerTest
class DemoDataIT {

    @LocalServerPort
    int port;

    @Autowired
    IFhirSystemDao<?, ?> systemDao;

    @Test
    void demoBoroughLoadsOnceAndIsReadableThroughTheApi() {
        DemoData.load(systemDao);
        DemoData.load(systemDao);
        var caller = new FhirServerClient(port, Callers.drPatel().sign()).fhir();

        Organization riverside = caller.read().resource(Organization.class).withId("ods-Y90001").execute();
        Patient hughes = caller.read().resource(Patient.class).withId("demo-hughes").execute();

        assertThat(riverside.getName()).isEqualTo("Riverside Medical Centre");
        assertThat(riverside.getMeta().getVersionId()).as("the second load is a no-op").isEqualTo("1");
        assertThat(Custodian.of(riverside)).contains("Y90001");
        assertThat(hughes.getGeneralPractitionerFirstRep().getReference()).isEqualTo("Organization/ods-Y90001");
        assertThat(Custodian.of(hughes)).contains("Y90001");
    }
}
