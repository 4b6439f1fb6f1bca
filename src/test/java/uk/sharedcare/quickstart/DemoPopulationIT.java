package uk.sharedcare.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.population.BoroughShape;
import uk.sharedcare.population.GeneratedPatient;
import uk.sharedcare.population.Population;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** The quick start's slice of the synthetic borough loads beside the demo borough without changing it. */
@PostgresFhirServerTest
class DemoPopulationIT {

    @LocalServerPort
    int port;

    @Autowired
    IFhirSystemDao<?, ?> systemDao;

    @Test
    void populationSliceLoadsBesideTheDemoBoroughAndKeepsItsCustodians() {
        DemoData.load(systemDao);
        int written = DemoPopulation.load(systemDao, 40);
        GeneratedPatient first = new Population(Population.DEFAULT_SEED, BoroughShape.borough()).patient(0);
        var riverside = new FhirServerClient(port, Callers.drPatel().sign()).fhir();
        var firstPatientsGp = new FhirServerClient(port,
                Callers.token("gp.population", "gp", first.practice()).sign()).fhir();

        Organization demoPractice = riverside.read().resource(Organization.class).withId("ods-Y90001").execute();
        Patient patient = firstPatientsGp.read().resource(Patient.class).withId(first.id()).execute();

        assertThat(written).isGreaterThan(40 * 4);
        assertThat(demoPractice.getMeta().getVersionId()).as("the demo's own organisation is untouched").isEqualTo("1");
        assertThat(demoPractice.getName()).isEqualTo("Riverside Medical Centre");
        assertThat(Custodian.of(patient)).contains(first.practice());
        assertThat(patient.getGeneralPractitionerFirstRep().getReference())
                .isEqualTo("Organization/ods-" + first.practice());
        assertThat(riverside.read().resource(Organization.class).withId("ods-Y90007").execute().getName())
                .isNotBlank();
    }
}
