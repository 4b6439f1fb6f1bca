package uk.sharedcare.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.profiles.ProfileExamples;
import uk.sharedcare.record.profiles.ProfileValidator;

/** The demo data and the Keycloak realm describe the same borough. */
class DemoBoroughTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final Bundle demo = DemoData.bundle(FHIR);

    @Test
    void everyOrganisationInTheRealmIsAnOrganizationInTheDemoData() throws IOException {
        Set<String> demoOrganisations = resources(Organization.class).stream()
                .map(o -> o.getIdentifier().stream()
                        .filter(i -> AccessContext.ODS_SYSTEM.equals(i.getSystem()))
                        .findFirst().orElseThrow().getValue())
                .collect(Collectors.toSet());

        assertThat(demoOrganisations).containsAll(realmOrganisations())
                .contains("Y90001", "Y90002", "RZ9", "L9001", "QZ9", "X9Z01");
    }

    @Test
    void everyDemoResourceNamesOneCustodianThatIsADemoOrganisation() {
        Set<String> organisationIds = resources(Organization.class).stream()
                .map(o -> o.getIdElement().getIdPart()).collect(Collectors.toSet());

        assertThat(demo.getEntry()).allSatisfy(entry -> {
            Resource resource = entry.getResource();
            assertThat(resource.getMeta().getTag()).filteredOn(t -> Custodian.TAG_SYSTEM.equals(t.getSystem()))
                    .hasSize(1);
            assertThat(organisationIds).contains("ods-" + Custodian.of(resource).orElseThrow());
        });
    }

    @Test
    void everyReferenceInTheDemoDataResolvesWithinIt() {
        Set<String> ids = demo.getEntry().stream()
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
                .collect(Collectors.toSet());
        Set<String> references = new HashSet<>();
        demo.getEntry().forEach(e -> FHIR.newTerser().getAllPopulatedChildElementsOfType(e.getResource(),
                Reference.class).forEach(r -> references.add(r.getReference())));

        assertThat(references).isNotEmpty();
        assertThat(ids).containsAll(references);
    }

    @Test
    void everyDemoResourceConformsToTheRecordsProfileForItsType() {
        List<Resource> profiled = demo.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(resource -> ProfileExamples.validator().validate(resource).isPresent())
                .toList();

        assertThat(profiled).extracting(Resource::fhirType).contains("Patient", "CarePlan", "EpisodeOfCare");
        profiled.forEach(resource -> assertThat(ProfileValidator.errors(
                ProfileExamples.validator().validate(resource).orElseThrow()))
                .as(resource.getIdElement().getValue()).isEmpty());
    }

    private <T extends Resource> List<T> resources(Class<T> type) {
        return demo.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(type::isInstance).map(type::cast).toList();
    }

    private static Set<String> realmOrganisations() throws IOException {
        JsonNode realm = new ObjectMapper().readTree(Path.of("keycloak/shared-care-realm.json").toFile());
        Set<String> codes = new HashSet<>();
        realm.path("users").forEach(u -> u.path("attributes").path("organisation").forEach(o -> codes.add(o.asText())));
        realm.path("clients").forEach(c -> c.path("protocolMappers").forEach(m -> {
            if ("organisation".equals(m.path("config").path("claim.name").asText())) {
                codes.add(m.path("config").path("claim.value").asText());
            }
        }));
        codes.remove("");
        return codes;
    }
}
