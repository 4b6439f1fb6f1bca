package uk.sharedcare.record.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.RecordFixtures.NHS_NUMBER_SYSTEM;

import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;

/**
 * Writes of the resources the sharing policy reads are checked against the record's profiles over HTTP: a write that
 * does not conform gets 422 with an OperationOutcome naming the path, and nothing is stored or changed.
 */
@PostgresFhirServerTest
class ProfileValidationIT {

    private static final String FHIR_JSON = "application/fhir+json";
    private static final String PROFILES = "https://sharedcarerecord.uk/fhir/StructureDefinition/";

    @LocalServerPort
    int port;

    FhirServerClient gp;
    BoroughScenario borough;

    @BeforeEach
    void connect() {
        gp = new FhirServerClient(port, Callers.drPatel().sign());
        borough = new BoroughScenario(port);
    }

    @Test
    void patientWithAWrongNhsNumberCheckDigitIsRefusedAndNotStored() {
        Patient patient = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Checkdigit");
        String wrong = withWrongCheckDigit(patient.getIdentifierFirstRep().getValue());
        patient.getIdentifierFirstRep().setValue(wrong);

        RawResponse response = gp.send("POST", "/Patient", encode(patient), FHIR_JSON);

        assertUnprocessable(response, "Patient.identifier[0].value", "scr-nhs-1");
        assertThat(found("Patient?identifier=" + NHS_NUMBER_SYSTEM + "|" + wrong)).isEmpty();
    }

    @Test
    void patientWithoutADateOfBirthIsRefusedBecauseTheChildrensExemptionNeedsIt() {
        Patient patient = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Nodob");
        patient.setBirthDate(null);

        RawResponse response = gp.send("POST", "/Patient", encode(patient), FHIR_JSON);

        assertUnprocessable(response, "Patient", "Patient.birthDate: minimum required = 1");
    }

    @Test
    void consentThePolicyCouldNotReadIsRefusedRatherThanSilentlyIgnored() {
        String patient = borough.patientAtRiverside();
        Consent withoutDecision = RecordFixtures.sharingDissent(new Reference(patient));
        withoutDecision.getProvision().setType(null).getPeriod().setStart(new java.util.Date());

        RawResponse response = gp.send("POST", "/Consent", encode(withoutDecision), FHIR_JSON);

        assertUnprocessable(response, "Consent.provision", "Consent.provision.type: minimum required = 1");
        assertThat(found("Consent?patient=" + patient)).isEmpty();
    }

    @Test
    void carePlanWithoutATitleIsRefused() {
        String patient = borough.patientAtRiverside();
        CarePlan plan = RecordFixtures.socialCarePlan(new Reference(patient), null);

        RawResponse response = gp.send("POST", "/CarePlan", encode(plan), FHIR_JSON);

        assertUnprocessable(response, "CarePlan", "CarePlan.title: minimum required = 1");
    }

    @Test
    void episodeOfCareThatIsNeitherHealthNorSocialCareIsRefused() {
        String patient = borough.patientAtRiverside();
        EpisodeOfCare episode = RecordFixtures.episodeOfCare(new Reference(patient), Callers.RIVERSIDE_PRACTICE);
        episode.getTypeFirstRep().getCodingFirstRep().setCode("dentistry");

        RawResponse response = gp.send("POST", "/EpisodeOfCare", encode(episode), FHIR_JSON);

        assertUnprocessable(response, "EpisodeOfCare.type[0]", "None of the codings provided are in the value set");
    }

    @Test
    void updateThatBreaksTheProfileIsRefusedAndTheStoredVersionIsKept() {
        String plan = borough.carePlan(Callers.drPatel(), borough.patientAtRiverside(), "Falls prevention");
        CarePlan stored = (CarePlan) FhirServerClient.FHIR.newJsonParser().parseResource(gp.get("/" + plan).body());
        stored.getCategory().clear();

        RawResponse response = gp.send("PUT", "/" + plan, encode(stored), FHIR_JSON);

        assertUnprocessable(response, "CarePlan", "CarePlan.category: minimum required = 1");
        CarePlan after = (CarePlan) FhirServerClient.FHIR.newJsonParser().parseResource(gp.get("/" + plan).body());
        assertThat(after.getMeta().getVersionId()).isEqualTo("1");
        assertThat(after.getCategory()).hasSize(1);
    }

    @Test
    void transactionWithOneNonConformingEntryStoresNothing() {
        String nhsNumber = RecordFixtures.uniqueNhsNumber();
        Patient patient = RecordFixtures.patient(nhsNumber, "Transaction");
        patient.setId("urn:uuid:7d1f3a52-1c4b-4b8e-9d51-0f6c1f1e2a10");
        CarePlan untitled = RecordFixtures.socialCarePlan(new Reference(patient.getId()), null);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        add(transaction, patient, "Patient");
        add(transaction, untitled, "CarePlan");

        RawResponse response = gp.send("POST", "", encode(transaction), FHIR_JSON);

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body()).contains("CarePlan.title: minimum required = 1");
        assertThat(found("Patient?identifier=" + NHS_NUMBER_SYSTEM + "|" + nhsNumber)).isEmpty();
    }

    @Test
    void callerWhoMayNotWriteLearnsNothingAboutValidity() {
        String patient = borough.patientAtRiverside();
        Consent invalid = RecordFixtures.sharingDissent(new Reference(patient));
        invalid.getProvision().setType(null).getPeriod().setStart(new java.util.Date());

        RawResponse response = new FhirServerClient(port, Callers.swMurphy().sign())
                .send("POST", "/Consent", encode(invalid), FHIR_JSON);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("provision.type");
    }

    /** Every example of a type anyone writes: AuditEvents are written by the server alone, and have no $validate. */
    static List<String> examples() {
        return ProfileExamples.names("-").stream().filter(name -> !name.startsWith("AuditEvent-")).toList();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void validateOperationJudgesEachExampleAsAWriteWould(String example) {
        String type = example.substring(0, example.indexOf('-'));

        RawResponse response = gp.send("POST", "/" + type + "/$validate", ProfileExamples.json(example), FHIR_JSON);

        List<OperationOutcomeIssueComponent> errors = response.operationOutcome().getIssue().stream()
                .filter(issue -> issue.getSeverity().ordinal() <= IssueSeverity.ERROR.ordinal())
                .toList();
        if (example.contains("-valid-")) {
            assertThat(errors).as(response.body()).isEmpty();
        } else {
            assertThat(errors).as(response.body()).isNotEmpty();
        }
    }

    @Test
    void capabilityStatementNamesTheProfileOfEachValidatedType() {
        CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        for (String type : List.of("Patient", "Consent", "CarePlan", "EpisodeOfCare", "AuditEvent")) {
            CapabilityStatementRestResourceComponent resource = metadata.getRestFirstRep().getResource().stream()
                    .filter(r -> type.equals(r.getType())).findFirst().orElseThrow();
            String profile = PROFILES + "scr-" + type.toLowerCase(java.util.Locale.ROOT);
            assertThat(resource.getProfile()).as(type).isEqualTo(profile);
            assertThat(resource.getSupportedProfile()).extracting(p -> p.getValue()).as(type).contains(profile);
        }
        for (String type : List.of("ServiceRequest", "Task")) {
            CapabilityStatementRestResourceComponent resource = metadata.getRestFirstRep().getResource().stream()
                    .filter(r -> type.equals(r.getType())).findFirst().orElseThrow();
            assertThat(resource.getProfile()).as(type + ": only referrals are held to the record's profile")
                    .doesNotStartWith(PROFILES);
            assertThat(resource.getSupportedProfile()).extracting(p -> p.getValue()).as(type)
                    .contains(PROFILES + ("Task".equals(type) ? "scr-referral-status" : "scr-referral"));
        }
    }

    private List<Bundle.BundleEntryComponent> found(String search) {
        return gp.fhir().search().byUrl(search).returnBundle(Bundle.class).execute().getEntry();
    }

    private static void assertUnprocessable(RawResponse response, String path, String words) {
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        OperationOutcome outcome = response.operationOutcome();
        assertThat(outcome.getIssue()).as(response.body()).anySatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
            assertThat(issue.getExpression()).extracting(e -> e.getValue()).contains(path);
            assertThat(issue.getDiagnostics()).contains(words);
        });
    }

    private static String withWrongCheckDigit(String nhsNumber) {
        char check = nhsNumber.charAt(9);
        return nhsNumber.substring(0, 9) + (char) ('0' + (check - '0' + 1) % 10);
    }

    private static void add(Bundle transaction, Resource resource, String type) {
        transaction.addEntry().setFullUrl(resource.getId()).setResource(resource)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
    }

    private static String encode(Resource resource) {
        return FhirServerClient.FHIR.newJsonParser().encodeResourceToString(resource);
    }
}
