package uk.sharedcare.record.consent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.Optional;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.ConsentDirective;
import uk.sharedcare.record.consent.Effect;

class ConsentReaderTest {

    private final ConsentReader reader = new ConsentReader(reference ->
            reference.getReference() != null && reference.getReference().startsWith("Organization/ods-")
                    ? Optional.of(reference.getReference().substring("Organization/ods-".length()))
                    : Optional.empty());

    @Test
    void activePrivacyDissentBecomesADenyForEveryone() {
        ConsentDirective directive = reader.read(dissent()).orElseThrow();

        assertThat(directive.consentId()).isEqualTo("Consent/c1");
        assertThat(directive.recordedAt()).isEqualTo(Instant.parse("2026-10-01T09:00:00Z"));
        assertThat(directive.statements()).singleElement().satisfies(s -> {
            assertThat(s.effect()).isEqualTo(Effect.DENY);
            assertThat(s.specificity()).isZero();
        });
    }

    @Test
    void nestedExceptionKeepsItsParentsLimitsAndAddsItsOwn() {
        Consent consent = dissent();
        consent.getProvision().addClass_(new Coding("http://hl7.org/fhir/resource-types", "Observation", null));
        var exception = consent.getProvision().addProvision().setType(ConsentProvisionType.PERMIT);
        exception.addActor().setReference(new Reference("Organization/ods-RZ9"));
        exception.addPurpose(new Coding(PurposeOfUse.CODE_SYSTEM, "TREAT", null));

        ConsentDirective directive = reader.read(consent).orElseThrow();

        assertThat(directive.statements()).hasSize(2);
        var permit = directive.statements().get(1);
        assertThat(permit.effect()).isEqualTo(Effect.PERMIT);
        assertThat(permit.resourceTypes()).containsExactly("Observation");
        assertThat(permit.actorOrganisations()).containsExactly("RZ9");
        assertThat(permit.purposes()).containsExactly(PurposeOfUse.TREAT);
        assertThat(permit.specificity()).isEqualTo(3);
    }

    @Test
    void validityAndDataPeriodsAreRead() {
        Consent consent = dissent();
        consent.getProvision().getPeriod().setEnd(Date.from(Instant.parse("2026-12-31T23:59:59Z")));
        consent.getProvision().getDataPeriod().setStart(Date.from(Instant.parse("2026-01-01T00:00:00Z")));

        ConsentDirective directive = reader.read(consent).orElseThrow();

        assertThat(directive.validTo()).contains(Instant.parse("2026-12-31T23:59:59Z"));
        assertThat(directive.isValidAt(Instant.parse("2027-01-02T00:00:00Z"))).isFalse();
        assertThat(directive.statements().get(0).dataFrom()).contains(LocalDate.of(2026, 1, 1));
    }

    @Test
    void withdrawnRejectedAndOtherScopesDoNotCount() {
        Consent inactive = dissent().setStatus(Consent.ConsentState.INACTIVE);
        Consent rejected = dissent().setStatus(Consent.ConsentState.REJECTED);
        Consent research = dissent();
        research.setScope(new CodeableConcept(new Coding(ConsentReader.SCOPE_SYSTEM, "research", null)));

        assertThat(reader.read(inactive)).isEmpty();
        assertThat(reader.read(rejected)).isEmpty();
        assertThat(reader.read(research)).isEmpty();
    }

    private static Consent dissent() {
        Consent consent = new Consent();
        consent.setId("Consent/c1");
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.setScope(new CodeableConcept(new Coding(ConsentReader.SCOPE_SYSTEM, "patient-privacy", null)));
        consent.setDateTime(Date.from(Instant.parse("2026-10-01T09:00:00Z")));
        consent.getProvision().setType(ConsentProvisionType.DENY);
        return consent;
    }
}
