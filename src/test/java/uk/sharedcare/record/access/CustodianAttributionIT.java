package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.RecordFixtures.patient;
import static uk.sharedcare.support.RecordFixtures.socialCarePlan;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;

/** Every stored resource names the organisation that wrote it, taken from the token and never from the client. */
@PostgresFhirServerTest
class CustodianAttributionIT {

    @LocalServerPort
    int port;

    @Test
    void createdResourceNamesTheWritersOrganisation() {
        IGenericClient riverside = client(Callers.riversideEhrFeed().sign());

        Patient stored = createAndRead(riverside, patient(uniqueNhsNumber(), "Byrne"));

        assertThat(custodianTags(stored)).containsExactly(Callers.RIVERSIDE_PRACTICE);
    }

    @Test
    void clientCannotClaimAnotherOrganisationWroteIt() {
        Patient forged = patient(uniqueNhsNumber(), "Forde");
        forged.getMeta().addTag(new Coding(Custodian.TAG_SYSTEM, Callers.BOROUGH_TRUST, "Written by RZ9"));

        Patient stored = createAndRead(client(Callers.riversideEhrFeed().sign()), forged);

        assertThat(custodianTags(stored)).containsExactly(Callers.RIVERSIDE_PRACTICE);
    }

    @Test
    void updateKeepsOneCustodianWhateverTheClientSends() {
        Patient stored = createAndRead(client(Callers.riversideEhrFeed().sign()), patient(uniqueNhsNumber(), "Lee"));
        IGenericClient drPatel = client(Callers.drPatel().sign());

        stored.getNameFirstRep().setFamily("Lee-Hart");
        stored.getMeta().addTag(new Coding(Custodian.TAG_SYSTEM, Callers.BOROUGH_TRUST, "Written by RZ9"));
        drPatel.update().resource(stored).execute();
        Patient updated = drPatel.read().resource(Patient.class).withId(stored.getIdElement().getIdPart()).execute();

        assertThat(updated.getNameFirstRep().getFamily()).isEqualTo("Lee-Hart");
        assertThat(custodianTags(updated)).containsExactly(Callers.RIVERSIDE_PRACTICE);
    }

    @Test
    void everyEntryOfATransactionIsAttributed() {
        Bundle transaction = new Bundle().setType(BundleType.TRANSACTION);
        transaction.addEntry().setFullUrl("urn:uuid:6a1c0e52-0000-4000-8000-000000000002")
                .setResource(patient(uniqueNhsNumber(), "Quinn"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
        transaction.addEntry()
                .setResource(socialCarePlan(new Reference("urn:uuid:6a1c0e52-0000-4000-8000-000000000002"), "Meals"))
                .getRequest().setMethod(HTTPVerb.POST).setUrl("CarePlan");
        IGenericClient council = client(Callers.token("sw.murphy", "social-worker", Callers.BOROUGH_COUNCIL).sign());

        Bundle response = council.transaction().withBundle(transaction).execute();

        for (Bundle.BundleEntryComponent entry : response.getEntry()) {
            IdType id = new IdType(entry.getResponse().getLocation());
            Resource stored = (Resource) council.read().resource(id.getResourceType()).withId(id.getIdPart()).execute();
            assertThat(custodianTags(stored)).containsExactly(Callers.BOROUGH_COUNCIL);
        }
    }

    @Test
    void resourcesCanBeFoundByTheirCustodian() {
        IGenericClient council = client(Callers.token("sw.murphy", "social-worker", Callers.BOROUGH_COUNCIL).sign());
        Patient patient = createAndRead(client(Callers.riversideEhrFeed().sign()), patient(uniqueNhsNumber(), "Ng"));
        IdType plan = (IdType) council.create()
                .resource(socialCarePlan(new Reference("Patient/" + patient.getIdElement().getIdPart()), "Day care"))
                .execute().getId();

        Bundle byCouncil = council.search().byUrl("CarePlan?subject=Patient/" + patient.getIdElement().getIdPart()
                        + "&_tag=" + Custodian.TAG_SYSTEM + "|" + Callers.BOROUGH_COUNCIL)
                .returnBundle(Bundle.class).execute();
        Bundle byTrust = council.search().byUrl("CarePlan?subject=Patient/" + patient.getIdElement().getIdPart()
                        + "&_tag=" + Custodian.TAG_SYSTEM + "|" + Callers.BOROUGH_TRUST)
                .returnBundle(Bundle.class).execute();

        assertThat(byCouncil.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly(plan.getIdPart());
        assertThat(byTrust.getEntry()).isEmpty();
    }

    private IGenericClient client(String token) {
        return new FhirServerClient(port, token).fhir();
    }

    private static <T extends Resource> T createAndRead(IGenericClient client, T resource) {
        IdType id = (IdType) client.create().resource(resource).execute().getId();
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) resource.getClass();
        return client.read().resource(type).withId(id.getIdPart()).execute();
    }

    private static List<String> custodianTags(Resource resource) {
        return resource.getMeta().getTag().stream()
                .filter(tag -> Custodian.TAG_SYSTEM.equals(tag.getSystem()))
                .map(Coding::getCode)
                .toList();
    }
}
