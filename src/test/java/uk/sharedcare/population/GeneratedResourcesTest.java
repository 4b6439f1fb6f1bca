package uk.sharedcare.population;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.profiles.ProfileExamples;
import uk.sharedcare.record.profiles.ProfileValidator;

/**
 * Every generated resource meets the record's FHIR profiles (NHS number, required elements, the episode-type and
 * consent codings; a sample is validated against fhir-profiles/), refers only to resources the population holds, and
 * is valid FHIR R4.
 */
class GeneratedResourcesTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String POSTCODE = "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$";
    private static final Set<String> PURPOSES = Set.of("TREAT", "ETREAT", "HOPERAT", "HRESCH");

    private static final Population POPULATION = new Population(Population.DEFAULT_SEED, BoroughShape.borough());
    private static final List<Resource> RESOURCES = Stream.concat(
            POPULATION.directoryBundles().stream(), POPULATION.patientBundles(0, 3_000).stream())
            .flatMap(b -> b.bundle().getEntry().stream()).map(e -> e.getResource()).toList();

    @Test
    void patientsHaveOneValidNhsNumberANameABirthDateAndARegisteredPractice() {
        assertThat(all(Patient.class)).hasSize(3_000).allSatisfy(patient -> {
            assertThat(patient.getIdentifier()).singleElement().satisfies(id -> {
                assertThat(id.getSystem()).isEqualTo(PatientGenerator.NHS_NUMBER_SYSTEM);
                assertThat(NhsNumber.isValid(id.getValue())).as(id.getValue()).isTrue();
            });
            assertThat(patient.getNameFirstRep().getFamily()).isNotBlank();
            assertThat(patient.hasBirthDate()).isTrue();
            assertThat(patient.getGeneralPractitionerFirstRep().getReference()).startsWith("Organization/ods-Y9");
            assertThat(patient.getAddressFirstRep().getPostalCode()).matches(POSTCODE);
        });
    }

    @Test
    void episodesOfCareAreTypedHealthOrSocialCareAndManagedByAnOrganization() {
        assertThat(all(EpisodeOfCare.class)).isNotEmpty().allSatisfy(episode -> {
            assertThat(episode.hasStatus()).isTrue();
            assertThat(episode.getPatient().getReference()).startsWith("Patient/");
            assertThat(episode.getManagingOrganization().getReference()).startsWith("Organization/");
            assertThat(episode.getType()).flatExtracting(t -> t.getCoding())
                    .anySatisfy(c -> {
                        assertThat(c.getSystem()).isEqualTo(PopulationCodes.EPISODE_TYPE);
                        assertThat(c.getCode()).isIn("health", "social-care");
                    });
        });
    }

    @Test
    void carePlansHaveStatusIntentSubjectCategoryAndTitle() {
        assertThat(all(CarePlan.class)).isNotEmpty().allSatisfy(plan -> {
            assertThat(plan.hasStatus() && plan.hasIntent() && plan.hasTitle()).isTrue();
            assertThat(plan.getSubject().getReference()).startsWith("Patient/");
            assertThat(plan.getCategory()).isNotEmpty();
        });
    }

    @Test
    void consentsAreActivePatientPrivacyConsentsWithPolicyProvisionAndOrganisationActors() {
        assertThat(all(Consent.class)).isNotEmpty().allSatisfy(consent -> {
            assertThat(consent.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
            assertThat(consent.getScope().getCodingFirstRep().getCode()).isEqualTo("patient-privacy");
            assertThat(consent.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("59284-0");
            assertThat(consent.getPatient().getReference()).startsWith("Patient/");
            assertThat(consent.hasDateTime()).isTrue();
            Coding policy = consent.getPolicyRule().getCodingFirstRep();
            assertThat(policy.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v3-ActCode");
            assertThat(policy.getCode()).isEqualTo(
                    consent.getProvision().getType() == Consent.ConsentProvisionType.DENY ? "OPTOUT" : "OPTIN");
            assertThat(consent.getProvision().getActor())
                    .allSatisfy(a -> assertThat(a.getReference().getReference()).startsWith("Organization/"));
            assertThat(consent.getProvision().getPurpose()).allSatisfy(p -> assertThat(p.getCode()).isIn(PURPOSES));
        });
    }

    @Test
    void everyReferencePointsToAResourceOfThePopulation() {
        Set<String> ids = new HashSet<>();
        RESOURCES.forEach(r -> ids.add(r.fhirType() + "/" + r.getIdElement().getIdPart()));

        for (Resource resource : RESOURCES.subList(0, 5_000)) {
            FHIR.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class).forEach(reference ->
                    assertThat(ids).as("in " + resource.getId()).contains(reference.getReference()));
        }
    }

    @Test
    void everyResourceCarriesTheCustodianWhoseBundleItIsIn() {
        POPULATION.patientBundles(0, 500).forEach(bundle -> bundle.bundle().getEntry().forEach(entry ->
                assertThat(Custodian.of(entry.getResource())).contains(bundle.writer())));
    }

    @Test
    void aSampleConformsToTheRecordsProfilesAndToBaseR4() {
        FhirValidator base = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(FHIR));
        List<Resource> sample = Stream.of(Stream.of(RESOURCES.stream().limit(120)),
                        Stream.of(Patient.class, Consent.class, CarePlan.class, EpisodeOfCare.class)
                                .map(type -> RESOURCES.stream().filter(type::isInstance).limit(40)))
                .flatMap(s -> s).flatMap(s -> s).toList();

        for (Resource resource : sample) {
            ValidationResult result = ProfileExamples.validator().validate(resource)
                    .orElseGet(() -> base.validateWithResult(resource));
            assertThat(ProfileValidator.errors(result)).as(resource.getId()).isEmpty();
        }
    }

    private static <T extends Base> List<T> all(Class<T> type) {
        return RESOURCES.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
