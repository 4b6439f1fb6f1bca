package uk.sharedcare.record.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.record.profiles.ProfileExamples.FHIR;

import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The profiles in fhir-profiles/ accept every valid example and refuse every invalid one, naming what is wrong. */
class RecordProfilesTest {

    /** Each invalid example, and the path and words its error must carry. */
    private static final Map<String, String> EXPECTED_ERRORS = Map.ofEntries(
            Map.entry("Patient-invalid-nhs-number-check-digit", "Patient.identifier[0].value | Constraint failed: scr-nhs-1"),
            Map.entry("Patient-invalid-nhs-number-too-short", "Patient.identifier[0].value | Constraint failed: scr-nhs-1"),
            Map.entry("Patient-invalid-no-nhs-number", "Patient | Slice 'Patient.identifier:nhsNumber'"),
            Map.entry("Patient-invalid-no-birth-date", "Patient | Patient.birthDate: minimum required = 1"),
            Map.entry("Patient-invalid-practitioner-as-practice", "Patient.generalPractitioner[0] | The type 'Practitioner'"),
            Map.entry("Consent-invalid-no-provision", "Consent | Consent.provision: minimum required = 1"),
            Map.entry("Consent-invalid-no-provision-type", "Consent.provision | Consent.provision.type: minimum required = 1"),
            Map.entry("Consent-invalid-purpose-not-used-by-the-record", "Consent.provision.purpose[0] | The Coding provided (http://terminology.hl7.org/CodeSystem/v3-ActReason#MARKT)"),
            Map.entry("Consent-invalid-not-a-privacy-consent", "Consent.scope | The pattern"),
            Map.entry("Consent-invalid-no-patient", "Consent | Consent.patient: minimum required = 1"),
            Map.entry("Consent-invalid-no-date", "Consent | Consent.dateTime: minimum required = 1"),
            Map.entry("Consent-invalid-policy-rule", "Consent.policyRule | None of the codings provided"),
            Map.entry("CarePlan-invalid-no-title", "CarePlan | CarePlan.title: minimum required = 1"),
            Map.entry("CarePlan-invalid-no-category", "CarePlan | CarePlan.category: minimum required = 1"),
            Map.entry("CarePlan-invalid-group-subject", "CarePlan.subject | The type 'Group'"),
            Map.entry("EpisodeOfCare-invalid-no-type", "EpisodeOfCare | EpisodeOfCare.type: minimum required = 1"),
            Map.entry("EpisodeOfCare-invalid-type-not-health-or-social-care", "EpisodeOfCare.type[0] | None of the codings provided"),
            Map.entry("EpisodeOfCare-invalid-no-managing-organization",
                    "EpisodeOfCare | EpisodeOfCare.managingOrganization: minimum required = 1"),
            Map.entry("AuditEvent-invalid-no-interaction", "AuditEvent | AuditEvent.subtype: minimum required = 1"),
            Map.entry("AuditEvent-invalid-marketing-purpose", "AuditEvent.agent[0].purposeOfUse[0] | None of the codings"),
            Map.entry("AuditEvent-invalid-unidentified-agent", "AuditEvent.agent[0] | Constraint failed: scr-aud-1"),
            Map.entry("AuditEvent-invalid-not-a-rest-event", "AuditEvent.type.code | Value is '110110' but is fixed to 'rest'"),
            Map.entry("ServiceRequest-invalid-referral-without-performer",
                    "ServiceRequest | ServiceRequest.performer: minimum required = 1"),
            Map.entry("ServiceRequest-invalid-referral-performer-not-an-organisation",
                    "ServiceRequest | Constraint failed: scr-ref-2"),
            Map.entry("Task-invalid-referral-rejected-without-reason", "Task | Constraint failed: scr-rst-1"),
            Map.entry("Task-invalid-referral-status-draft", "Task.status | The value provided ('draft') was not found"));

    static List<String> validExamples() {
        return ProfileExamples.names("-valid-");
    }

    static List<String> invalidExamples() {
        return ProfileExamples.names("-invalid-");
    }

    @ParameterizedTest
    @MethodSource("validExamples")
    void validExampleConformsToTheRecordProfile(String example) {
        List<SingleValidationMessage> errors = errorsOf(example);

        assertThat(errors).as(example).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidExamples")
    void invalidExampleIsRefusedNamingThePathAtFault(String example) {
        List<String> errors = errorsOf(example).stream()
                .map(message -> message.getLocationString() + " | " + message.getMessage())
                .toList();

        assertThat(EXPECTED_ERRORS).as("expected error for " + example).containsKey(example);
        assertThat(errors).as(example).anySatisfy(error -> assertThat(error).startsWith(EXPECTED_ERRORS.get(example)));
    }

    @Test
    void everyProfileHasValidAndInvalidExamples() {
        RecordProfiles profiles = RecordProfiles.load(FHIR);

        assertThat(profiles.profiles()).containsOnlyKeys("Patient", "Consent", "CarePlan", "EpisodeOfCare",
                "AuditEvent");
        assertThat(profiles.instanceProfiles()).containsOnlyKeys("ServiceRequest", "Task");
        java.util.stream.Stream.concat(profiles.profiles().keySet().stream(),
                profiles.instanceProfiles().keySet().stream()).forEach(type -> {
            assertThat(validExamples()).as(type).anyMatch(name -> name.startsWith(type + "-"));
            assertThat(invalidExamples()).as(type).anyMatch(name -> name.startsWith(type + "-"));
        });
        assertThat(EXPECTED_ERRORS.keySet()).containsExactlyInAnyOrderElementsOf(invalidExamples());
    }

    /** The snapshot generator silently drops constraints on elements listed out of the base resource's order. */
    @Test
    void differentialsListElementsInTheBaseResourcesOrder() {
        DefaultProfileValidationSupport base = new DefaultProfileValidationSupport(FHIR);
        profiles().forEach(profile -> {
            List<String> basePaths = ((StructureDefinition) base.fetchStructureDefinition(profile.getBaseDefinition()))
                    .getSnapshot().getElement().stream().map(ElementDefinition::getPath).toList();
            List<Integer> positions = profile.getDifferential().getElement().stream()
                    .map(element -> positionIn(basePaths, element.getPath()))
                    .toList();

            assertThat(positions).as(profile.getUrl()).doesNotContain(-1).isSorted();
        });
    }

    /** Elements inside a data type (Identifier.system) are not in the base snapshot: they stand where their parent does. */
    private static int positionIn(List<String> basePaths, String path) {
        String candidate = path;
        while (!basePaths.contains(candidate) && candidate.contains(".")) {
            candidate = candidate.substring(0, candidate.lastIndexOf('.'));
        }
        return basePaths.indexOf(candidate);
    }

    @Test
    void everyBoundValueSetIsOneOfTheRecordsOwn() {
        RecordProfiles profiles = RecordProfiles.load(FHIR);
        List<String> valueSets = profiles.resources().stream()
                .filter(ValueSet.class::isInstance).map(resource -> resource.getUrl()).toList();
        List<String> bound = new ArrayList<>();
        profiles().forEach(profile -> profile.getDifferential().getElement().stream()
                .filter(ElementDefinition::hasBinding)
                .forEach(element -> bound.add(element.getBinding().getValueSet())));

        assertThat(bound).isNotEmpty();
        assertThat(valueSets).containsAll(bound);
    }

    private static Stream<StructureDefinition> profiles() {
        return RecordProfiles.load(FHIR).resources().stream()
                .filter(StructureDefinition.class::isInstance)
                .map(StructureDefinition.class::cast);
    }

    private static List<SingleValidationMessage> errorsOf(String example) {
        return ProfileValidator.errors(
                ProfileExamples.validator().validate(ProfileExamples.resource(example)).orElseThrow());
    }
}
