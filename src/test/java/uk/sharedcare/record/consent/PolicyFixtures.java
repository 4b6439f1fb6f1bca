package uk.sharedcare.record.consent;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes;
import uk.sharedcare.record.consent.ConsentDirective.Statement;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;

/** Named people, patients, resources and consents of the demo borough, for the pure policy tests. */
final class PolicyFixtures {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final String RIVERSIDE = "Y90001";
    static final String NORTHGATE = "Y90002";
    static final String TRUST = "RZ9";
    static final String COUNCIL = "L9001";

    static final Set<String> CLINICAL = Set.of("Patient", "Encounter", "Condition", "Observation",
            "AllergyIntolerance", "MedicationStatement", "DocumentReference", "Flag", "EpisodeOfCare", "CarePlan",
            "CareTeam", "Consent", "Provenance");
    static final Set<String> SOCIAL_CARE = Set.of("Patient", "EpisodeOfCare", "CarePlan", "CareTeam", "Encounter");

    private PolicyFixtures() {}

    static PolicySettings settings() {
        return new PolicySettings(16, true, EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.ETREAT),
                EnumSet.of(Role.GP, Role.CLINICIAN), Set.of("SEX", "STD", "HIV", "SDV"),
                Map.of(NORTHGATE, new OrganisationSharing(SharingModel.OPT_IN, Set.of())),
                Map.of(Role.GP, CLINICAL, Role.CLINICIAN, CLINICAL, Role.SYSTEM, CLINICAL,
                        Role.SOCIAL_WORKER, SOCIAL_CARE),
                Map.of(Role.SOCIAL_WORKER, Set.of("Encounter")));
    }

    static AccessContext drPatel() {
        return context("dr.patel", RIVERSIDE, Role.GP, "dr-patel", PurposeOfUse.TREAT);
    }

    static AccessContext nurseOkafor() {
        return context("nurse.okafor", TRUST, Role.CLINICIAN, "nurse-okafor", PurposeOfUse.TREAT);
    }

    static AccessContext nurseOkaforBreakingGlass() {
        return new AccessContext("nurse.okafor", "shared-care-console", TRUST, Set.of(Role.CLINICIAN),
                Optional.of("nurse-okafor"), PurposeOfUse.ETREAT, Optional.of("Unconscious in A&E"), NOW,
                SmartScopes.unrestricted());
    }

    static AccessContext swMurphy() {
        return context("sw.murphy", COUNCIL, Role.SOCIAL_WORKER, "sw-murphy", PurposeOfUse.TREAT);
    }

    static AccessContext context(String user, String organisation, Role role, String practitioner,
            PurposeOfUse purpose) {
        return new AccessContext(user, "shared-care-console", organisation, Set.of(role),
                Optional.ofNullable(practitioner), purpose, Optional.empty(), NOW, SmartScopes.unrestricted());
    }

    /** The same caller with a token carrying these SMART scopes and launch patient. */
    static AccessContext scoped(AccessContext who, String scopes, String launchPatient) {
        return new AccessContext(who.subject(), who.client(), who.organisation(), who.roles(), who.practitioner(),
                who.purpose(), who.breakGlassReason(), who.at(),
                SmartScopes.parse(scopes, Optional.ofNullable(launchPatient)));
    }

    /** Mrs Hughes: registered at Riverside, an active council episode of care, Sean Murphy in her care team. */
    static PatientState hughes() {
        return new PatientState("Patient/demo-hughes", Optional.of(RIVERSIDE), Optional.of(LocalDate.of(1941, 3, 14)),
                Set.of(), Optional.empty(), List.of(), Set.of(COUNCIL), Set.of("sw-murphy"));
    }

    static PatientState hughesWith(List<ConsentDirective> consents) {
        PatientState h = hughes();
        return new PatientState(h.patientId(), h.registeredPractice(), h.birthDate(), h.exemptCohorts(),
                h.gpDissent(), consents, h.episodeOrganisations(), h.careTeamPractitioners());
    }

    /** Ms Rahman: registered at Northgate, the opt-in practice; the trust has an episode of care. */
    static PatientState rahman(List<ConsentDirective> consents) {
        return new PatientState("Patient/demo-rahman", Optional.of(NORTHGATE), Optional.of(LocalDate.of(1987, 6, 21)),
                Set.of(), Optional.empty(), consents, Set.of(TRUST), Set.of());
    }

    static ResourceFacts recordedBy(String type, String custodian, String... labels) {
        return new ResourceFacts(type, Optional.of(custodian), Set.of(labels), Optional.of(LocalDate.of(2026, 10, 5)));
    }

    static ConsentDirective dissent(String id, Instant recordedAt, Statement... statements) {
        return new ConsentDirective("Consent/" + id, recordedAt, Optional.empty(), Optional.empty(),
                List.of(statements));
    }

    static Statement denyAll() {
        return new Statement(Effect.DENY, Set.of(), Set.of(), Set.of(), Optional.empty(), Optional.empty());
    }

    static Statement permitAll() {
        return new Statement(Effect.PERMIT, Set.of(), Set.of(), Set.of(), Optional.empty(), Optional.empty());
    }

    static Statement statement(Effect effect, Set<String> actors, Set<String> types) {
        return new Statement(effect, actors, Set.of(), types, Optional.empty(), Optional.empty());
    }
}
