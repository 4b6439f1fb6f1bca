package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.profiles.ProfileExamples;
import uk.sharedcare.record.profiles.ProfileValidator;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes;
import uk.sharedcare.record.audit.AccessRecord.Outcome;
import uk.sharedcare.record.audit.AccessRecord.Refusal;

class AuditEventFactoryTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private final AuditEventFactory factory = new AuditEventFactory("https://identity.example/realms/shared-care");

    @Test
    void disclosedReadNamesWhoWhyAndWhatWasShown() {
        AuditEvent event = factory.build(new AccessRecord(AT, Optional.of(nurse(PurposeOfUse.TREAT, null)), "read",
                "Observation/o1", Optional.of("10.0.0.7"), Outcome.SUCCESS, List.of("Observation/o1"),
                List.of("Patient/p1"), Optional.empty()));

        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
        assertThat(event.getAgentFirstRep().getRequestor()).isTrue();
        assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("nurse.okafor");
        assertThat(event.getAgentFirstRep().getPurposeOfUseFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
        assertThat(event.getAgent()).extracting(a -> a.getWho().getIdentifier().getValue()).contains("RZ9");
        assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference())
                .contains("Patient/p1", "Observation/o1");
        assertConformsToTheRecordProfile(event);
    }

    @Test
    void refusalRecordsTheDecidingRuleAndItsEvidence() {
        AuditEvent event = factory.build(new AccessRecord(AT, Optional.of(nurse(PurposeOfUse.TREAT, null)),
                "search-type", "CarePlan?subject=Patient/p1", Optional.empty(), Outcome.REFUSED, List.of(),
                List.of("Patient/p1"), Optional.of(new Refusal("PATIENT_DISSENT",
                        "The patient has dissented from sharing this data", Optional.of("Consent/c9")))));

        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).contains("dissented");
        AuditEventEntityComponent decision = event.getEntity().stream()
                .filter(e -> "deciding rule".equals(e.getDescription())).findFirst().orElseThrow();
        assertThat(decision.getWhat().getReference()).isEqualTo("Consent/c9");
        assertThat(decision.getDetailFirstRep().getValue().primitiveValue()).isEqualTo("PATIENT_DISSENT");
        assertConformsToTheRecordProfile(event);
    }

    @Test
    void breakGlassRecordsThePurposeAndTheReason() {
        AuditEvent event = factory.build(new AccessRecord(AT,
                Optional.of(nurse(PurposeOfUse.ETREAT, "Unconscious in A&E")), "read", "Patient/p1",
                Optional.empty(), Outcome.SUCCESS, List.of("Patient/p1"), List.of("Patient/p1"), Optional.empty()));

        assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("ETREAT");
        assertThat(event.getEntity()).flatExtracting(AuditEventEntityComponent::getDetail)
                .extracting(d -> d.getValue().primitiveValue()).contains("Unconscious in A&E");
        assertConformsToTheRecordProfile(event);
    }

    @Test
    void refusalBeforeAnyAccessContextStillRecordsTheRequest() {
        AuditEvent event = factory.build(new AccessRecord(AT, Optional.empty(), "read", "Patient/p1",
                Optional.of("10.0.0.9"), Outcome.REFUSED, List.of(), List.of(),
                Optional.of(new Refusal("AUTHENTICATION", "No access token", Optional.empty()))));

        assertThat(event.getAgent()).singleElement().satisfies(agent -> {
            assertThat(agent.getName()).isEqualTo("unidentified caller");
            assertThat(agent.getNetwork().getAddress()).isEqualTo("10.0.0.9");
        });
        assertThat(event.getEntity()).extracting(AuditEventEntityComponent::getDescription).contains("Patient/p1");
        assertConformsToTheRecordProfile(event);
    }

    private static AccessContext nurse(PurposeOfUse purpose, String reason) {
        return new AccessContext("nurse.okafor", "shared-care-console", "RZ9", Set.of(Role.CLINICIAN),
                Optional.of("nurse-okafor"), purpose, Optional.ofNullable(reason), AT, SmartScopes.unrestricted());
    }

    /** Base R4 and the record's AuditEvent profile (fhir-profiles/StructureDefinition-scr-auditevent.json). */
    private static void assertConformsToTheRecordProfile(AuditEvent event) {
        var result = ProfileExamples.validator().validate(event).orElseThrow();
        assertThat(ProfileValidator.errors(result))
                .as(FHIR.newJsonParser().encodeResourceToString(result.toOperationOutcome()))
                .isEmpty();
    }
}
