package uk.sharedcare.server;

import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static uk.sharedcare.support.RecordFixtures.NHS_NUMBER_SYSTEM;
import static uk.sharedcare.support.RecordFixtures.episodeOfCare;
import static uk.sharedcare.support.RecordFixtures.patient;
import static uk.sharedcare.support.RecordFixtures.sharingDissent;
import static uk.sharedcare.support.RecordFixtures.socialCarePlan;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** The record's core resources stored in and found from PostgreSQL through the FHIR REST API. */
@PostgresFhirServerTest
class FhirApiOnPostgresIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    IGenericClient fhir;

    @BeforeEach
    void connect() {
        fhir = new FhirServerClient(port, Callers.drPatel().sign()).fhir();
    }

    @Test
    void recordIsStoredInPostgresql() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
    }

    @Test
    void patientCanBeCreatedReadUpdatedAndFoundByNhsNumber() {
        String nhsNumber = uniqueNhsNumber();
        Patient stored = roundTrip(patient(nhsNumber, "Okafor"), p -> {
            p.getNameFirstRep().setFamily("Okafor-Reid");
            return p;
        });
        assertThat(stored.getNameFirstRep().getFamily()).isEqualTo("Okafor-Reid");

        Bundle found = search("Patient?identifier=" + NHS_NUMBER_SYSTEM + "|" + nhsNumber);
        assertThat(found.getEntry()).singleElement()
                .satisfies(e -> assertThat(e.getResource().getIdElement().getIdPart())
                        .isEqualTo(stored.getIdElement().getIdPart()));
    }

    @Test
    void consentCanBeCreatedReadUpdatedAndFoundByPatient() {
        Reference patient = createPatient();
        Consent stored = roundTrip(sharingDissent(patient), c -> c.setStatus(Consent.ConsentState.INACTIVE));
        assertThat(stored.getStatus()).isEqualTo(Consent.ConsentState.INACTIVE);

        assertThat(idsOf(search("Consent?patient=" + patient.getReference() + "&status=inactive")))
                .containsExactly(stored.getIdElement().getIdPart());
        assertThat(search("Consent?patient=" + patient.getReference() + "&status=active").getEntry()).isEmpty();
    }

    @Test
    void carePlanCanBeCreatedReadUpdatedAndFoundByPatient() {
        Reference patient = createPatient();
        CarePlan stored = roundTrip(socialCarePlan(patient, "Home care, four visits a day"),
                p -> p.setStatus(CarePlan.CarePlanStatus.COMPLETED));
        assertThat(stored.getStatus()).isEqualTo(CarePlan.CarePlanStatus.COMPLETED);

        assertThat(idsOf(search("CarePlan?subject=" + patient.getReference() + "&status=completed")))
                .containsExactly(stored.getIdElement().getIdPart());
    }

    @Test
    void episodeOfCareCanBeCreatedReadUpdatedAndFoundByPatient() {
        Reference patient = createPatient();
        EpisodeOfCare stored = roundTrip(episodeOfCare(patient, "RZ9"),
                e -> e.setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED));
        assertThat(stored.getStatus()).isEqualTo(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);

        assertThat(idsOf(search("EpisodeOfCare?patient=" + patient.getReference() + "&status=finished")))
                .containsExactly(stored.getIdElement().getIdPart());
    }

    @Test
    void transactionStoresPatientWithCarePlanAndLinksThem() {
        String nhsNumber = uniqueNhsNumber();
        Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
        transaction.addEntry().setFullUrl("urn:uuid:5b0c4a1e-0000-4000-8000-000000000001")
                .setResource(patient(nhsNumber, "Nowak"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        transaction.addEntry()
                .setResource(socialCarePlan(new Reference("urn:uuid:5b0c4a1e-0000-4000-8000-000000000001"), "Reablement"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("CarePlan");

        Bundle response = fhir.transaction().withBundle(transaction).execute();

        assertThat(response.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("201"));
        String patientId = new IdType(response.getEntry().get(0).getResponse().getLocation()).getIdPart();
        Bundle plans = search("CarePlan?subject=Patient/" + patientId);
        assertThat(plans.getEntry()).singleElement()
                .satisfies(e -> assertThat(((CarePlan) e.getResource()).getTitle()).isEqualTo("Reablement"));
    }

    @Test
    void transactionWithOneBadEntryStoresNothing() {
        String nhsNumber = uniqueNhsNumber();
        Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
        transaction.addEntry().setResource(patient(nhsNumber, "Adeyemi"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        transaction.addEntry().setResource(socialCarePlan(new Reference("Patient/does-not-exist"), "Day centre"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("CarePlan");

        assertThatThrownBy(() -> fhir.transaction().withBundle(transaction).execute())
                .isInstanceOfSatisfying(BaseServerResponseException.class,
                        e -> assertThat(e.getStatusCode()).isBetween(400, 499));

        assertThat(search("Patient?identifier=" + NHS_NUMBER_SYSTEM + "|" + nhsNumber).getEntry()).isEmpty();
    }

    private <T extends DomainResource> T roundTrip(T resource, UnaryOperator<T> change) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) resource.getClass();
        IdType id = (IdType) fhir.create().resource(resource).execute().getId();
        T read = fhir.read().resource(type).withId(id.getIdPart()).execute();
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");

        fhir.update().resource(change.apply(read)).execute();
        T updated = fhir.read().resource(type).withId(id.getIdPart()).execute();
        assertThat(updated.getMeta().getVersionId()).isEqualTo("2");
        return updated;
    }

    private Reference createPatient() {
        IdType id = (IdType) fhir.create().resource(patient(uniqueNhsNumber(), "Shah")).execute().getId();
        return new Reference("Patient/" + id.getIdPart());
    }

    private Bundle search(String url) {
        return fhir.search().byUrl(url).returnBundle(Bundle.class).execute();
    }

    private static List<String> idsOf(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
