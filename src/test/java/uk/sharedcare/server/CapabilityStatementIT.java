package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** What {@code /fhir/metadata} tells an integrating system about the record. */
@PostgresFhirServerTest
class CapabilityStatementIT {

    private static final List<String> SHARED_RECORD_TYPES = List.of(
            "Patient", "Consent", "CarePlan", "EpisodeOfCare", "Organization", "Practitioner", "PractitionerRole",
            "CareTeam", "Encounter", "Condition", "Observation", "AllergyIntolerance", "MedicationStatement",
            "DocumentReference", "Flag", "Provenance", "Subscription");

    @LocalServerPort
    int port;

    @Test
    void metadataIsServedAsFhirR4Json() {
        var response = new FhirServerClient(port).get("/metadata");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/fhir+json");
        CapabilityStatement parsed =
                FhirServerClient.FHIR.newJsonParser().parseResource(CapabilityStatement.class, response.body());
        assertThat(parsed.getFhirVersion().toCode()).isEqualTo("4.0.1");
    }

    @Test
    void everySharedRecordTypeCanBeReadAndSearched() {
        CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        List<CapabilityStatementRestResourceComponent> resources = metadata.getRestFirstRep().getResource();
        assertThat(resources).extracting(r -> r.getType()).containsAll(SHARED_RECORD_TYPES);
        assertThat(resources).filteredOn(r -> SHARED_RECORD_TYPES.contains(r.getType()))
                .allSatisfy(r -> assertThat(r.getInteraction()).extracting(i -> i.getCode().toCode())
                        .contains("read", "create", "update", "search-type"));
    }

    @Test
    void auditEventsAreOfferedToReadAndSearchOnly() {
        CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        assertThat(metadata.getRestFirstRep().getResource()).filteredOn(r -> "AuditEvent".equals(r.getType()))
                .singleElement().satisfies(r -> {
                    assertThat(r.getInteraction()).extracting(i -> i.getCode().toCode())
                            .contains("read", "vread", "search-type").doesNotContain("create", "update", "delete");
                    assertThat(r.getSearchParam()).extracting(p -> p.getName())
                            .contains("patient", "entity", "agent", "date", "outcome", "purpose");
                });
    }

    @Test
    void patientScopedSearchesAreAdvertised() {
        CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        assertThat(searchParams(metadata, "Patient")).contains("identifier", "name", "birthdate");
        assertThat(searchParams(metadata, "Consent")).contains("patient", "status");
        assertThat(searchParams(metadata, "CarePlan")).contains("patient", "subject", "category");
        assertThat(searchParams(metadata, "EpisodeOfCare")).contains("patient", "organization", "care-manager");
    }

    @Test
    void nothingButTheFhirApiIsServed() {
        FhirServerClient client = new FhirServerClient(port, Callers.drPatel().sign());

        assertThat(client.getOutsideFhir("/v3/api-docs").status()).isEqualTo(404);
        assertThat(client.getOutsideFhir("/swagger-ui.html").status()).isEqualTo(404);
        assertThat(client.getOutsideFhir("/").status()).isEqualTo(404);
    }

    private static List<String> searchParams(CapabilityStatement metadata, String type) {
        return metadata.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals(type))
                .flatMap(r -> r.getSearchParam().stream())
                .map(p -> p.getName())
                .toList();
    }
}
