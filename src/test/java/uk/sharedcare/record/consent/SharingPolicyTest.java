package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.record.consent.PolicyFixtures.COUNCIL;
import static uk.sharedcare.record.consent.PolicyFixtures.NORTHGATE;
import static uk.sharedcare.record.consent.PolicyFixtures.NOW;
import static uk.sharedcare.record.consent.PolicyFixtures.RIVERSIDE;
import static uk.sharedcare.record.consent.PolicyFixtures.TRUST;
import static uk.sharedcare.record.consent.PolicyFixtures.denyAll;
import static uk.sharedcare.record.consent.PolicyFixtures.dissent;
import static uk.sharedcare.record.consent.PolicyFixtures.drPatel;
import static uk.sharedcare.record.consent.PolicyFixtures.hughes;
import static uk.sharedcare.record.consent.PolicyFixtures.hughesWith;
import static uk.sharedcare.record.consent.PolicyFixtures.nurseOkafor;
import static uk.sharedcare.record.consent.PolicyFixtures.nurseOkaforBreakingGlass;
import static uk.sharedcare.record.consent.PolicyFixtures.permitAll;
import static uk.sharedcare.record.consent.PolicyFixtures.rahman;
import static uk.sharedcare.record.consent.PolicyFixtures.recordedBy;
import static uk.sharedcare.record.consent.PolicyFixtures.scoped;
import static uk.sharedcare.record.consent.PolicyFixtures.settings;
import static uk.sharedcare.record.consent.PolicyFixtures.statement;
import static uk.sharedcare.record.consent.PolicyFixtures.swMurphy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes.Permission;
import uk.sharedcare.record.access.SmartScopes;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;

/** Each rule of docs/policy.md, decided by the pure policy for the demo borough's people and patients. */
class SharingPolicyTest {

    private final SharingPolicy policy = new SharingPolicy(settings());

    @Nested
    class PurposeOfUseRule {

        @Test
        void commissioningPurposeGetsNoIdentifiableData() {
            AccessContext analyst = PolicyFixtures.context("analyst.chen", "QZ9", Role.COMMISSIONER, null,
                    PurposeOfUse.HOPERAT);

            Decision decision = policy.decideRead(analyst, hughes(), recordedBy("Observation", RIVERSIDE));

            assertDenied(decision, PolicyRule.PURPOSE_OF_USE);
            assertThat(decision.explain()).contains("pseudonymised extract");
        }
    }

    @Nested
    class LegitimateRelationship {

        @Test
        void organisationAlwaysSeesWhatItRecorded() {
            PatientState dissenting = hughesWith(List.of(dissent("d1", NOW.minusSeconds(60), denyAll())));

            assertPermitted(policy.decideRead(drPatel(), dissenting, recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.OWN_DATA);
        }

        @Test
        void trustWithoutRelationshipCannotReadGpObservations() {
            assertDenied(policy.decideRead(nurseOkafor(), hughes(), recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.LEGITIMATE_RELATIONSHIP);
        }

        @Test
        void registeredPracticeSeesHospitalEncounters() {
            Decision decision = policy.decideRead(drPatel(), hughes(), recordedBy("Encounter", TRUST));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.reasons()).extracting(Reason::detail).contains("Y90001 is the registered GP practice");
        }

        @Test
        void organisationWithActiveEpisodeOfCareSeesTheRecord() {
            assertThat(policy.decideRead(
                    PolicyFixtures.context("duty.sw", COUNCIL, Role.SOCIAL_WORKER, null, PurposeOfUse.TREAT),
                    hughes(), recordedBy("CarePlan", RIVERSIDE)).permits()).isTrue();
        }

        @Test
        void careTeamMemberSeesTheRecordThroughTheirPractitionerId() {
            PatientState noEpisode = new PatientState("Patient/p", Optional.of(RIVERSIDE), Optional.empty(), Set.of(),
                    Optional.empty(), List.of(), Set.of(), Set.of("sw-murphy"));

            Decision decision = policy.decideRead(swMurphy(), noEpisode, recordedBy("CarePlan", RIVERSIDE));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.reasons()).extracting(Reason::detail)
                    .contains("Practitioner/sw-murphy is in the patient's active care team");
        }

        @Test
        void practiceAllowListKeepsItsDataFromUnlistedOrganisations() {
            PolicySettings base = settings();
            PolicySettings allowList = new PolicySettings(base.childAge(), base.gpDissentBlocksLocalSharing(),
                    base.identifiablePurposes(), base.breakGlassRoles(), base.sensitiveLabels(),
                    Map.of(RIVERSIDE, new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of(TRUST))),
                    base.roleViews(), base.redactedForRoles());
            SharingPolicy restricted = new SharingPolicy(allowList);

            assertDenied(restricted.decideRead(swMurphy(), hughes(), recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.CUSTODIAN_ALLOW_LIST);
            assertThat(restricted.decideRead(swMurphy(), hughes(), recordedBy("CarePlan", TRUST)).permits()).isTrue();
        }
    }

    @Nested
    class PatientDissent {

        @Test
        void activeDissentStopsSharing() {
            PatientState dissenting = hughesWith(List.of(dissent("d1", NOW.minusSeconds(60), denyAll())));

            Decision decision = policy.decideRead(swMurphy(), dissenting, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.PATIENT_DISSENT);
            assertThat(decision.deciding().evidence()).contains("Consent/d1");
        }

        @Test
        void dissentFromOneOrganisationLeavesOthersSeeing() {
            PatientState notTheCouncil = hughesWith(List.of(dissent("d2", NOW.minusSeconds(60),
                    statement(Effect.DENY, Set.of(COUNCIL), Set.of()))));

            assertDenied(policy.decideRead(swMurphy(), notTheCouncil, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.PATIENT_DISSENT);
            assertThat(policy.decideRead(drPatel(), notTheCouncil, recordedBy("Encounter", TRUST)).permits()).isTrue();
        }

        @Test
        void dissentFromOneResourceClassLeavesTheRestShared() {
            PatientState noCarePlans = hughesWith(List.of(dissent("d3", NOW.minusSeconds(60),
                    statement(Effect.DENY, Set.of(), Set.of("CarePlan")))));

            assertDenied(policy.decideRead(swMurphy(), noCarePlans, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.PATIENT_DISSENT);
            assertThat(policy.decideRead(swMurphy(), noCarePlans, recordedBy("CareTeam", RIVERSIDE)).permits())
                    .isTrue();
        }

        @Test
        void dissentLimitedToADataPeriodCoversOnlyDataFromThen() {
            var statement = new ConsentDirective.Statement(Effect.DENY, Set.of(), Set.of(), Set.of(),
                    Optional.of(LocalDate.of(2026, 1, 1)), Optional.of(LocalDate.of(2026, 6, 30)));
            PatientState firstHalfOf2026 = hughesWith(List.of(dissent("d4", NOW.minusSeconds(60), statement)));
            ResourceFacts march = new ResourceFacts("CarePlan", Optional.of(RIVERSIDE), Set.of(),
                    Optional.of(LocalDate.of(2026, 3, 1)));
            ResourceFacts october = recordedBy("CarePlan", RIVERSIDE);

            assertDenied(policy.decideRead(swMurphy(), firstHalfOf2026, march), PolicyRule.PATIENT_DISSENT);
            assertThat(policy.decideRead(swMurphy(), firstHalfOf2026, october).permits()).isTrue();
        }

        @Test
        void dissentOutsideItsValidityPeriodDoesNotApply() {
            ConsentDirective expired = new ConsentDirective("Consent/d5", NOW.minusSeconds(86_400 * 30),
                    Optional.empty(), Optional.of(NOW.minusSeconds(86_400)), List.of(denyAll()));

            assertThat(policy.decideRead(swMurphy(), hughesWith(List.of(expired)), recordedBy("CarePlan", RIVERSIDE))
                    .permits()).isTrue();
        }

        @Test
        void moreSpecificPermitOutranksGeneralDissent() {
            PatientState h = hughes();
            PatientState exceptTheCouncil = new PatientState(h.patientId(), h.registeredPractice(), h.birthDate(),
                    Set.of(), Optional.empty(), List.of(dissent("d6", NOW.minusSeconds(60), denyAll(),
                            statement(Effect.PERMIT, Set.of(COUNCIL), Set.of()))),
                    Set.of(COUNCIL, TRUST), h.careTeamPractitioners());

            assertPermitted(policy.decideRead(swMurphy(), exceptTheCouncil, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.ROLE_VIEW);
            assertDenied(policy.decideRead(nurseOkafor(), exceptTheCouncil, recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.PATIENT_DISSENT);
        }

        @Test
        void denyOutranksPermitOfEqualSpecificityInTheSameConsent() {
            PatientState contradictory = hughesWith(List.of(dissent("d7", NOW.minusSeconds(60), denyAll(),
                    permitAll())));

            assertDenied(policy.decideRead(swMurphy(), contradictory, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.PATIENT_DISSENT);
        }

        @Test
        void laterPermitWithdrawsAnEarlierDissentAtOnce() {
            Instant dissented = NOW.minusSeconds(86_400);
            Instant withdrew = NOW.minusSeconds(60);
            PatientState withdrawn = hughesWith(List.of(dissent("old", dissented, denyAll()),
                    dissent("new", withdrew, permitAll())));

            Decision decision = policy.decideRead(swMurphy(), withdrawn, recordedBy("CarePlan", RIVERSIDE));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.reasons()).extracting(Reason::rule).contains(PolicyRule.PATIENT_PERMIT);
            assertThat(decision.reasons()).flatExtracting(r -> r.evidence().stream().toList()).contains("Consent/new");
        }
    }

    @Nested
    class PatientsOwnRecord {

        private final AccessContext hughesHerself = new AccessContext("patient.hughes", "shared-care-console",
                "patient:9434765919", Set.of(Role.PATIENT), Optional.empty(), PurposeOfUse.PATRQT, Optional.empty(),
                NOW, SmartScopes.unrestricted(), Optional.of("9434765919"));

        private PatientState withNhsNumber(PatientState state, String nhsNumber) {
            return new PatientState(state.patientId(), state.registeredPractice(), state.birthDate(),
                    state.exemptCohorts(), state.gpDissent(), state.consents(), state.episodeOrganisations(),
                    state.careTeamPractitioners(), Map.of(), Optional.of(nhsNumber));
        }

        @Test
        void aPatientSeesTheirOwnDetailsAndChoices() {
            PatientState own = withNhsNumber(hughes(), "9434765919");

            assertPermitted(policy.decideRead(hughesHerself, own, recordedBy("Patient", RIVERSIDE)),
                    PolicyRule.PATIENT_OWN_RECORD);
            assertPermitted(policy.decideRead(hughesHerself, own, recordedBy("Consent", RIVERSIDE)),
                    PolicyRule.PATIENT_OWN_RECORD);
        }

        @Test
        void aPatientSeesNoneOfTheirClinicalRecordAndNothingOfAnotherPatient() {
            assertDenied(policy.decideRead(hughesHerself, withNhsNumber(hughes(), "9434765919"),
                    recordedBy("Observation", RIVERSIDE)), PolicyRule.PATIENT_OWN_RECORD);
            assertDenied(policy.decideRead(hughesHerself, withNhsNumber(hughes(), "9000000009"),
                    recordedBy("Patient", RIVERSIDE)), PolicyRule.PATIENT_OWN_RECORD);
            assertDenied(policy.decideRead(hughesHerself, hughes(), recordedBy("Consent", RIVERSIDE)),
                    PolicyRule.PATIENT_OWN_RECORD);
        }

        @Test
        void aPatientReadsNoAuditEventsAndNoPeopleOfTheDirectory() {
            assertDenied(policy.decideAuditRead(hughesHerself, List.of(withNhsNumber(hughes(), "9434765919"))),
                    PolicyRule.PATIENT_OWN_RECORD);
            assertDenied(policy.decideDirectoryRead(hughesHerself, recordedBy("Practitioner", RIVERSIDE)),
                    PolicyRule.PATIENT_OWN_RECORD);
        }

        @Test
        void aPatientRecordsOnlyANewChoiceOfTheirOwn() {
            WritePolicy writes = new WritePolicy(policy);
            PatientState own = withNhsNumber(hughes(), "9434765919");

            assertThat(writes.decidePatientWrite(hughesHerself, Permission.CREATE, "Consent", List.of(own)).permits())
                    .isTrue();
            assertThat(writes.decidePatientWrite(hughesHerself, Permission.UPDATE, "Consent", List.of(own)).permits())
                    .isFalse();
            assertThat(writes.decidePatientWrite(hughesHerself, Permission.CREATE, "Observation", List.of(own))
                    .permits()).isFalse();
            assertThat(writes.decidePatientWrite(hughesHerself, Permission.CREATE, "Consent",
                    List.of(withNhsNumber(hughes(), "9000000009"))).permits()).isFalse();
        }
    }

    @Nested
    class SharingModelRule {

        @Test
        void optInPracticeDataIsNotSharedWithoutThePatientsPermit() {
            assertDenied(policy.decideRead(nurseOkafor(), rahman(List.of()), recordedBy("Condition", NORTHGATE)),
                    PolicyRule.OPT_IN_WITHOUT_CONSENT);
        }

        @Test
        void optInPracticeDataIsSharedOnceThePatientPermits() {
            PatientState optedIn = rahman(List.of(dissent("p1", NOW.minusSeconds(60), permitAll())));

            assertPermitted(policy.decideRead(nurseOkafor(), optedIn, recordedBy("Condition", NORTHGATE)),
                    PolicyRule.ROLE_VIEW);
        }

        @Test
        void aPracticesOwnOptInSettingInTheRecordOverridesThePolicyFile() {
            PatientState riversideOptedIn = withRecordedSharing(hughes(), RIVERSIDE,
                    new OrganisationSharing(SharingModel.OPT_IN, Set.of(), "its own setting in the record"));

            Decision decision = policy.decideRead(swMurphy(), riversideOptedIn, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.OPT_IN_WITHOUT_CONSENT);
            assertThat(decision.deciding().explain()).contains("is opt-in (its own setting in the record)");
        }

        @Test
        void anOptInPracticeThatSwitchesToShareByDefaultInTheRecordShares() {
            PatientState northgateSharing = withRecordedSharing(rahman(List.of()), NORTHGATE,
                    new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of(), "its own setting"));

            assertPermitted(policy.decideRead(nurseOkafor(), northgateSharing, recordedBy("Condition", NORTHGATE)),
                    PolicyRule.ROLE_VIEW);
        }

        @Test
        void aPracticesOwnListOfOrganisationsInTheRecordLimitsWhoSeesItsData() {
            PatientState councilOnly = withRecordedSharing(hughes(), RIVERSIDE,
                    new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of(COUNCIL), "its own setting"));

            assertPermitted(policy.decideRead(swMurphy(), councilOnly, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.ROLE_VIEW);
            PatientState trustToo = new PatientState(councilOnly.patientId(), councilOnly.registeredPractice(),
                    councilOnly.birthDate(), Set.of(), Optional.empty(), List.of(), Set.of(COUNCIL, TRUST), Set.of(),
                    councilOnly.organisationSharing());
            assertDenied(policy.decideRead(nurseOkafor(), trustToo, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.CUSTODIAN_ALLOW_LIST);
        }

        @Test
        void defaultPracticeDataIsSharedWithoutConsent() {
            Decision decision = policy.decideRead(swMurphy(), hughes(), recordedBy("CarePlan", RIVERSIDE));

            assertThat(decision.reasons()).extracting(Reason::rule).contains(PolicyRule.SHARED_BY_DEFAULT);
        }
    }

    @Nested
    class GpDissentCodes {

        private final PatientState type1 = new PatientState("Patient/p", Optional.of(RIVERSIDE), Optional.empty(),
                Set.of(), Optional.of(new GpDissent(GpDissent.Type.TYPE_1, "Observation/9Nu0")), List.of(),
                Set.of(COUNCIL), Set.of());

        @Test
        void gpDissentCodeStopsLocalSharing() {
            Decision decision = policy.decideRead(swMurphy(), type1, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.GP_DISSENT);
            assertThat(decision.deciding().evidence()).contains("Observation/9Nu0");
        }

        @Test
        void gpDissentCanBeConfiguredToLeaveLocalSharingAlone() {
            PolicySettings base = settings();
            SharingPolicy secondaryUseOnly = new SharingPolicy(new PolicySettings(base.childAge(), false,
                    base.identifiablePurposes(), base.breakGlassRoles(), base.sensitiveLabels(), base.organisations(),
                    base.roleViews(), base.redactedForRoles()));

            assertThat(secondaryUseOnly.decideRead(swMurphy(), type1, recordedBy("CarePlan", RIVERSIDE)).permits())
                    .isTrue();
        }

        @Test
        void breakGlassDoesNotPassOverAGpDissentCode() {
            assertDenied(policy.decideRead(nurseOkaforBreakingGlass(), type1, recordedBy("Condition", RIVERSIDE)),
                    PolicyRule.GP_DISSENT);
        }
    }

    @Nested
    class ExemptCohorts {

        @Test
        void childrensRecordsStayWithTheirCustodian() {
            PatientState child = new PatientState("Patient/c", Optional.of(RIVERSIDE),
                    Optional.of(LocalDate.of(2014, 1, 30)), Set.of(), Optional.empty(), List.of(), Set.of(TRUST),
                    Set.of());

            assertDenied(policy.decideRead(nurseOkafor(), child, recordedBy("Condition", RIVERSIDE)),
                    PolicyRule.EXEMPT_COHORT);
        }

        @Test
        void sixteenthBirthdayEndsTheChildExemption() {
            PatientState sixteenToday = new PatientState("Patient/c", Optional.of(RIVERSIDE),
                    Optional.of(LocalDate.of(2010, 11, 22)), Set.of(), Optional.empty(), List.of(), Set.of(TRUST),
                    Set.of());

            assertThat(policy.decideRead(nurseOkafor(), sixteenToday, recordedBy("Condition", RIVERSIDE)).permits())
                    .isTrue();
        }

        @Test
        void mentalIllnessCohortIsNotShared() {
            PatientState cohort = new PatientState("Patient/m", Optional.of(RIVERSIDE), Optional.empty(),
                    Set.of("mental-illness"), Optional.empty(), List.of(), Set.of(TRUST), Set.of());

            Decision decision = policy.decideRead(nurseOkafor(), cohort, recordedBy("Condition", RIVERSIDE));

            assertDenied(decision, PolicyRule.EXEMPT_COHORT);
            assertThat(decision.deciding().detail()).contains("mental-illness");
        }

        @Test
        void breakGlassPassesOverAnExemptCohortAndIsFlagged() {
            PatientState cohort = new PatientState("Patient/m", Optional.of(RIVERSIDE), Optional.empty(),
                    Set.of("learning-disability"), Optional.empty(), List.of(), Set.of(), Set.of());

            Decision decision = policy.decideRead(nurseOkaforBreakingGlass(), cohort,
                    recordedBy("Condition", RIVERSIDE));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.obligations()).contains(Obligation.REVIEW_BREAK_GLASS);
        }
    }

    @Nested
    class SensitiveData {

        @Test
        void sexualHealthDataIsNeverShownOutsideItsCustodian() {
            assertDenied(policy.decideRead(swMurphy(), hughes(), recordedBy("Condition", RIVERSIDE, "STD")),
                    PolicyRule.SENSITIVE_DATA);
        }

        @Test
        void evenBreakGlassDoesNotShowSexualHealthData() {
            assertDenied(policy.decideRead(nurseOkaforBreakingGlass(), hughes(),
                    recordedBy("Observation", RIVERSIDE, "HIV")), PolicyRule.SENSITIVE_DATA);
        }

        @Test
        void custodianSeesItsOwnSexualHealthData() {
            assertThat(policy.decideRead(drPatel(), hughes(), recordedBy("Condition", RIVERSIDE, "SEX")).permits())
                    .isTrue();
        }
    }

    @Nested
    class SharingAgreements {

        private final LocalDate today = LocalDate.of(2026, 11, 22);

        @Test
        void aCouncilWhoseAgreementHasEndedSeesNothingOfThePracticesRecord() {
            PatientState ended = hughes().withParticipation(agreements(false,
                    agreement(COUNCIL, today.minusYears(1), today.minusDays(1))));

            Decision decision = policy.decideRead(swMurphy(), ended, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.SHARING_AGREEMENT);
            assertThat(decision.explain()).contains("L9001's sharing agreement has ended")
                    .contains("to " + today.minusDays(1)).contains("AuditEvent/agreement-L9001");
        }

        @Test
        void aPracticeWhoseAgreementHasEndedNoLongerSharesItsRecordWithTheCouncil() {
            PatientState ended = hughes().withParticipation(agreements(false,
                    agreement(RIVERSIDE, today.minusYears(1), today.minusDays(1))));

            assertDenied(policy.decideRead(swMurphy(), ended, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.SHARING_AGREEMENT);
        }

        @Test
        void anAgreementThatHasNotStartedSharesNothingYet() {
            PatientState notYet = hughes().withParticipation(agreements(false,
                    agreement(COUNCIL, today.plusDays(1), null)));

            Decision decision = policy.decideRead(swMurphy(), notYet, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.SHARING_AGREEMENT);
            assertThat(decision.explain()).contains("has not started");
        }

        @Test
        void onItsLastDayAnAgreementIsStillInForceAndTheDecisionCitesIt() {
            PatientState lastDay = hughes().withParticipation(agreements(false,
                    agreement(COUNCIL, today.minusYears(1), today)));

            Decision decision = policy.decideRead(swMurphy(), lastDay, recordedBy("CarePlan", RIVERSIDE));

            assertThat(decision.permits()).as(decision.explain()).isTrue();
            assertThat(decision.reasons()).extracting(Reason::rule).contains(PolicyRule.SHARING_AGREEMENT);
        }

        @Test
        void whereAnAgreementIsRequiredAnOrganisationWithoutOneSeesNothingOfOthers() {
            PatientState required = hughes().withParticipation(agreements(true,
                    agreement(RIVERSIDE, today.minusYears(1), null)));

            Decision decision = policy.decideRead(swMurphy(), required, recordedBy("CarePlan", RIVERSIDE));

            assertDenied(decision, PolicyRule.SHARING_AGREEMENT);
            assertThat(decision.explain()).contains("L9001 has no sharing agreement on record");
        }

        @Test
        void anOrganisationOutsideTheSchemeStillSeesWhatItRecordedItself() {
            PatientState ended = hughes().withParticipation(agreements(false,
                    agreement(COUNCIL, today.minusYears(1), today.minusDays(1))));

            assertPermitted(policy.decideRead(swMurphy(), ended, recordedBy("CarePlan", COUNCIL)),
                    PolicyRule.OWN_DATA);
        }

        @Test
        void breakGlassDoesNotPassOverAnEndedAgreement() {
            PatientState ended = hughes().withParticipation(agreements(false,
                    agreement(TRUST, today.minusYears(1), today.minusDays(1))));

            assertDenied(policy.decideRead(nurseOkaforBreakingGlass(), ended, recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.SHARING_AGREEMENT);
        }

        private static SchemeParticipation agreements(boolean required, SharingAgreement... recorded) {
            Map<String, SharingAgreement> byOrganisation = new HashMap<>();
            for (SharingAgreement agreement : recorded) {
                byOrganisation.put(agreement.organisation(), agreement);
            }
            return new SchemeParticipation(required, byOrganisation);
        }

        private static SharingAgreement agreement(String organisation, LocalDate starts, LocalDate ends) {
            return new SharingAgreement(organisation, starts, Optional.ofNullable(ends),
                    "AuditEvent/agreement-" + organisation);
        }
    }

    @Nested
    class BreakGlass {

        @Test
        void clinicianBreakingGlassSeesWithoutRelationshipAndIsReviewed() {
            Decision decision = policy.decideRead(nurseOkaforBreakingGlass(), hughes(),
                    recordedBy("Observation", RIVERSIDE));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.obligations()).containsExactly(Obligation.REVIEW_BREAK_GLASS);
            assertThat(decision.explain()).contains("Unconscious in A&E");
        }

        @Test
        void breakGlassPassesOverPatientDissent() {
            PatientState dissenting = hughesWith(List.of(dissent("d1", NOW.minusSeconds(60), denyAll())));

            assertThat(policy.decideRead(nurseOkaforBreakingGlass(), dissenting, recordedBy("Observation", RIVERSIDE))
                    .permits()).isTrue();
        }

        @Test
        void breakGlassByASocialWorkerPassesOverNothing() {
            AccessContext socialWorker = new AccessContext("x", "c", TRUST, Set.of(Role.SOCIAL_WORKER),
                    Optional.empty(), PurposeOfUse.ETREAT, Optional.of("urgent"), NOW, SmartScopes.unrestricted());

            assertDenied(policy.decideRead(socialWorker, hughes(), recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.LEGITIMATE_RELATIONSHIP);
        }
    }

    @Nested
    class RoleViews {

        @Test
        void socialWorkerWithCareTeamRoleSeesCarePlansButNotObservations() {
            assertThat(policy.decideRead(swMurphy(), hughes(), recordedBy("CarePlan", RIVERSIDE)).permits()).isTrue();
            assertDenied(policy.decideRead(swMurphy(), hughes(), recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.ROLE_VIEW);
            assertDenied(policy.decideRead(swMurphy(), hughes(), recordedBy("MedicationStatement", TRUST)),
                    PolicyRule.ROLE_VIEW);
        }

        @Test
        void socialWorkerSeesEncountersWithoutClinicalDetail() {
            Decision decision = policy.decideRead(swMurphy(), hughes(), recordedBy("Encounter", TRUST));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.obligations()).containsExactly(Obligation.REDACT_CLINICAL_DETAIL);
        }

        @Test
        void gpSeesTheSocialCareTheirPatientReceives() {
            Decision decision = policy.decideRead(drPatel(), hughes(), recordedBy("CarePlan", COUNCIL));

            assertThat(decision.permits()).isTrue();
            assertThat(decision.obligations()).isEmpty();
        }
    }

    @Nested
    class Writes {

        private final WritePolicy policy = new WritePolicy(SharingPolicyTest.this.policy);

        private Decision create(AccessContext who, String type, Optional<String> custodian,
                Optional<String> practice) {
            return policy.decideWrite(who, Permission.CREATE, type, List.of(hughes().patientId()), custodian,
                    practice);
        }

        @Test
        void userCannotChangeAnotherOrganisationsData() {
            assertDenied(create(nurseOkafor(), "Observation", Optional.of(RIVERSIDE), Optional.of(RIVERSIDE)),
                    PolicyRule.WRITE_AS_OWN_ORGANISATION);
            assertThat(create(nurseOkafor(), "Observation", Optional.empty(), Optional.of(RIVERSIDE))
                    .permits()).isTrue();
        }

        @Test
        void consentIsRecordedOnlyByTheRegisteredPracticeOrADpo() {
            AccessContext dpo = PolicyFixtures.context("dpo.williams", "QZ9", Role.DPO, null, PurposeOfUse.TREAT);
            AccessContext practiceFeed = PolicyFixtures.context("feed", RIVERSIDE, Role.SYSTEM, null,
                    PurposeOfUse.TREAT);

            assertThat(create(drPatel(), "Consent", Optional.empty(), Optional.of(RIVERSIDE)).permits())
                    .isTrue();
            assertThat(create(practiceFeed, "Consent", Optional.empty(), Optional.of(RIVERSIDE)).permits())
                    .isTrue();
            assertThat(create(dpo, "Consent", Optional.empty(), Optional.of(RIVERSIDE)).permits())
                    .isTrue();
            assertDenied(create(swMurphy(), "Consent", Optional.empty(), Optional.of(RIVERSIDE)),
                    PolicyRule.CONSENT_WRITERS);
            assertDenied(create(drPatel(), "Consent", Optional.empty(), Optional.of(NORTHGATE)),
                    PolicyRule.CONSENT_WRITERS);
        }
    }

    @Nested
    class StartOfCare {

        private final WritePolicy policy = new WritePolicy(SharingPolicyTest.this.policy);
        private final LocalDate today = LocalDate.of(2026, 11, 22);

        @Test
        void aTrustWithoutARelationshipCannotRecordAnEpisodeOfCareUntilItsStartOfCareWasChecked() {
            assertDenied(policy.decideEpisodeOfCare(nurseOkafor(), hughes(), false), PolicyRule.START_OF_CARE);
            assertThat(policy.decideEpisodeOfCare(nurseOkafor(), hughes(), false).explain())
                    .contains("RZ9 has no relationship with Patient/demo-hughes");

            assertPermitted(policy.decideEpisodeOfCare(nurseOkafor(), hughes(), true), PolicyRule.START_OF_CARE);
        }

        @Test
        void anOrganisationThatAlreadyCaresForThePatientRecordsFurtherEpisodes() {
            assertPermitted(policy.decideEpisodeOfCare(swMurphy(), hughes(), false),
                    PolicyRule.LEGITIMATE_RELATIONSHIP);
            assertPermitted(policy.decideEpisodeOfCare(drPatel(), hughes(), false),
                    PolicyRule.LEGITIMATE_RELATIONSHIP);
        }

        @Test
        void cliniciansSocialWorkersGpsAndTheirSystemsStartCareButNotADpoOrAnAdmin() {
            SchemeParticipation everyone = SchemeParticipation.EVERY_ORGANISATION;
            AccessContext trustSystem = PolicyFixtures.context("pas", TRUST, Role.SYSTEM, null, PurposeOfUse.TREAT);

            assertPermitted(policy.decideStartOfCare(nurseOkafor(), everyone), PolicyRule.START_OF_CARE);
            assertPermitted(policy.decideStartOfCare(swMurphy(), everyone), PolicyRule.START_OF_CARE);
            assertPermitted(policy.decideStartOfCare(trustSystem, everyone), PolicyRule.START_OF_CARE);
            assertDenied(policy.decideStartOfCare(PolicyFixtures.context("dpo.williams", TRUST, Role.DPO, null,
                    PurposeOfUse.TREAT), everyone), PolicyRule.START_OF_CARE);
            assertDenied(policy.decideStartOfCare(PolicyFixtures.context("admin", TRUST, Role.ADMIN, null,
                    PurposeOfUse.TREAT), everyone), PolicyRule.START_OF_CARE);
        }

        @Test
        void careStartsOnlyForDirectCare() {
            AccessContext auditing = PolicyFixtures.context("nurse.okafor", TRUST, Role.CLINICIAN, "nurse-okafor",
                    PurposeOfUse.HOPERAT);

            assertDenied(policy.decideStartOfCare(auditing, SchemeParticipation.EVERY_ORGANISATION),
                    PolicyRule.PURPOSE_OF_USE);
        }

        @Test
        void anOrganisationOutsideTheSchemeStartsNoCare() {
            SchemeParticipation ended = new SchemeParticipation(false, Map.of(TRUST, new SharingAgreement(TRUST,
                    today.minusYears(1), Optional.of(today.minusDays(1)), "AuditEvent/agreement-RZ9")));

            assertDenied(policy.decideStartOfCare(nurseOkafor(), ended), PolicyRule.SHARING_AGREEMENT);
        }

        @Test
        void aTokenThatMayNotCreateEpisodesOfCareStartsNoCare() {
            AccessContext reader = scoped(nurseOkafor(), "user/*.rs", null);

            assertDenied(policy.decideStartOfCare(reader, SchemeParticipation.EVERY_ORGANISATION),
                    PolicyRule.SMART_SCOPE);
        }
    }

    @Nested
    class Referrals {

        /** As the policy file has it: clinicians and GPs see others' ServiceRequests, no one others' Tasks. */
        private final SharingPolicy policy = new SharingPolicy(withRequestsForClinicians());
        private final WritePolicy writes = new WritePolicy(policy);
        private final ResourceFacts referral = new ResourceFacts("ServiceRequest", Optional.of(RIVERSIDE), Set.of(),
                Optional.empty(), Set.of(RIVERSIDE, COUNCIL));
        private final ResourceFacts status = new ResourceFacts("Task", Optional.of(COUNCIL), Set.of(),
                Optional.empty(), Set.of(RIVERSIDE, COUNCIL));
        /** The trust cares for Mrs Hughes too; the council has only been referred her. */
        private final PatientState referredToTheCouncil = new PatientState("Patient/demo-hughes",
                Optional.of(RIVERSIDE), Optional.of(LocalDate.of(1941, 3, 14)), Set.of(), Optional.empty(), List.of(),
                Set.of(TRUST), Set.of()).withReferralsTo(Set.of(COUNCIL));

        @Test
        void aTrustThatSeesThePracticesRequestsDoesNotSeeItsReferralToTheCouncilNorItsStatus() {
            assertThat(policy.decideRead(nurseOkafor(), referredToTheCouncil,
                    new ResourceFacts("ServiceRequest", Optional.of(RIVERSIDE), Set.of(), Optional.empty()))
                    .permits()).as("another request of the practice").isTrue();

            assertDenied(policy.decideRead(nurseOkafor(), referredToTheCouncil, referral), PolicyRule.REFERRAL_PARTIES);
            assertDenied(policy.decideRead(nurseOkafor(), referredToTheCouncil, status), PolicyRule.REFERRAL_PARTIES);
        }

        @Test
        void breakingGlassDoesNotShowAReferralToOthers() {
            assertDenied(policy.decideRead(nurseOkaforBreakingGlass(), referredToTheCouncil, status),
                    PolicyRule.REFERRAL_PARTIES);
        }

        @Test
        void theCouncilSeesTheReferralAddressedToItThoughSocialWorkersSeeNoServiceRequests() {
            assertPermitted(policy.decideRead(swMurphy(), referredToTheCouncil, referral), PolicyRule.REFERRAL_PARTIES);
            assertThat(policy.decideRead(swMurphy(), referredToTheCouncil, referral).reasons())
                    .extracting(Reason::detail).contains("L9001 is a party to the referral");
        }

        @Test
        void thePracticeSeesTheCouncilsStatusOfItsReferral() {
            assertPermitted(policy.decideRead(drPatel(), referredToTheCouncil, status), PolicyRule.REFERRAL_PARTIES);
        }

        @Test
        void aReferredOrganisationSeesWhoIsReferredButNotTheRestOfTheRecordUntilItStartsCare() {
            assertThat(policy.decideRead(swMurphy(), referredToTheCouncil, recordedBy("Patient", RIVERSIDE))
                    .reasons()).extracting(Reason::detail).contains("L9001 has been referred the patient");
            assertThat(policy.decideRead(swMurphy(), referredToTheCouncil, recordedBy("Patient", RIVERSIDE)).permits())
                    .isTrue();
            assertDenied(policy.decideRead(swMurphy(), referredToTheCouncil, recordedBy("CarePlan", RIVERSIDE)),
                    PolicyRule.LEGITIMATE_RELATIONSHIP);
            assertDenied(policy.decideRead(swMurphy(), referredToTheCouncil.withReferralsTo(Set.of()),
                    recordedBy("Patient", RIVERSIDE)), PolicyRule.LEGITIMATE_RELATIONSHIP);
        }

        @Test
        void theReferralIsStillThePatientsDataSoTheirDissentHoldsForTheCouncil() {
            PatientState dissenting = new PatientState("Patient/demo-hughes", Optional.of(RIVERSIDE), Optional.empty(),
                    Set.of(), Optional.of(new GpDissent(GpDissent.Type.TYPE_1, "Observation/9Nu0")), List.of(),
                    Set.of(), Set.of()).withReferralsTo(Set.of(COUNCIL));

            assertDenied(policy.decideRead(swMurphy(), dissenting, referral), PolicyRule.GP_DISSENT);
        }

        @Test
        void aCommissionerAtAPartyDoesNotSeeTheReferral() {
            AccessContext councilAnalyst = PolicyFixtures.context("analyst", COUNCIL, Role.COMMISSIONER, null,
                    PurposeOfUse.TREAT);

            assertDenied(policy.decideRead(councilAnalyst, referredToTheCouncil, referral), PolicyRule.ROLE_VIEW);
        }

        @Test
        void onlyAnOrganisationWithARelationshipRefersThePatient() {
            assertPermitted(writes.decideReferral(drPatel(), referredToTheCouncil), PolicyRule.LEGITIMATE_RELATIONSHIP);
            assertDenied(writes.decideReferral(PolicyFixtures.context("dr.jones", NORTHGATE, Role.GP, "dr-jones",
                    PurposeOfUse.TREAT), referredToTheCouncil), PolicyRule.REFERRAL_PARTIES);
        }

        @Test
        void onlyAnOrganisationTheReferralIsAddressedToReportsItsStatus() {
            assertPermitted(writes.decideReferralStatus(swMurphy(), Set.of(COUNCIL)), PolicyRule.REFERRAL_PARTIES);
            assertDenied(writes.decideReferralStatus(nurseOkafor(), Set.of(COUNCIL)), PolicyRule.REFERRAL_PARTIES);
            assertDenied(writes.decideReferralStatus(drPatel(), Set.of(COUNCIL)), PolicyRule.REFERRAL_PARTIES);
        }

        private static PolicySettings withRequestsForClinicians() {
            PolicySettings base = settings();
            Set<String> withRequests = new java.util.HashSet<>(PolicyFixtures.CLINICAL);
            withRequests.add("ServiceRequest");
            return new PolicySettings(base.childAge(), base.gpDissentBlocksLocalSharing(), base.identifiablePurposes(),
                    base.breakGlassRoles(), base.sensitiveLabels(), base.organisations(),
                    Map.of(Role.GP, withRequests, Role.CLINICIAN, withRequests, Role.SYSTEM, withRequests,
                            Role.SOCIAL_WORKER, PolicyFixtures.SOCIAL_CARE),
                    base.redactedForRoles());
        }
    }

    @Nested
    class SmartScopeNarrowing {

        @Test
        void aPatientScopeShowsOnlyTheLaunchPatientsRecord() {
            AccessContext app = scoped(drPatel(), "launch/patient patient/*.rs", "demo-hughes");

            assertPermitted(policy.decideRead(app, hughes(), recordedBy("CarePlan", COUNCIL)),
                    PolicyRule.ROLE_VIEW);
            assertDenied(policy.decideRead(app, rahman(List.of()), recordedBy("Observation", TRUST)),
                    PolicyRule.SMART_SCOPE);
        }

        @Test
        void aPatientScopeWithoutALaunchPatientGrantsNothing() {
            AccessContext app = scoped(drPatel(), "patient/*.rs", null);

            assertDenied(policy.decideRead(app, hughes(), recordedBy("CarePlan", COUNCIL)), PolicyRule.SMART_SCOPE);
        }

        @Test
        void aTypeScopeHidesOtherTypesEvenOfTheOrganisationsOwnData() {
            AccessContext app = scoped(drPatel(), "user/Observation.rs", null);

            assertPermitted(policy.decideRead(app, hughes(), recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.OWN_DATA);
            assertDenied(policy.decideRead(app, hughes(), recordedBy("Condition", RIVERSIDE)),
                    PolicyRule.SMART_SCOPE);
            assertDenied(policy.decideDirectoryRead(app, recordedBy("Organization", RIVERSIDE)),
                    PolicyRule.SMART_SCOPE);
        }

        @Test
        void aScopeNeverWidensWhatThePolicyAllows() {
            AccessContext socialWorker = scoped(swMurphy(), "user/*.cruds system/*.cruds", null);

            assertDenied(policy.decideRead(socialWorker, hughes(), recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.ROLE_VIEW);
        }

        @Test
        void aTokenWithoutResourceScopesSeesNothing() {
            AccessContext signedInOnly = scoped(drPatel(), "openid profile fhirUser", null);

            assertDenied(policy.decideRead(signedInOnly, hughes(), recordedBy("Observation", RIVERSIDE)),
                    PolicyRule.SMART_SCOPE);
        }

        @Test
        void readScopesDoNotWriteAndPatientScopesWriteOnlyForTheLaunchPatient() {
            WritePolicy writes = new WritePolicy(policy);
            AccessContext reader = scoped(drPatel(), "user/*.rs", null);
            AccessContext patientApp = scoped(drPatel(), "patient/Observation.c", "demo-hughes");

            assertDenied(writes.decideWrite(reader, Permission.CREATE, "Observation", List.of(hughes().patientId()),
                    Optional.empty(), Optional.of(RIVERSIDE)), PolicyRule.SMART_SCOPE);
            assertThat(writes.decideWrite(patientApp, Permission.CREATE, "Observation",
                    List.of(hughes().patientId()), Optional.empty(), Optional.of(RIVERSIDE)).permits()).isTrue();
            assertDenied(writes.decideWrite(patientApp, Permission.CREATE, "Observation",
                    List.of("Patient/demo-rahman"), Optional.empty(), Optional.of(NORTHGATE)),
                    PolicyRule.SMART_SCOPE);
        }
    }

    private static void assertDenied(Decision decision, PolicyRule rule) {
        assertThat(decision.effect()).as(decision.explain()).isEqualTo(Effect.DENY);
        assertThat(decision.deciding().rule()).as(decision.explain()).isEqualTo(rule);
    }

    private static void assertPermitted(Decision decision, PolicyRule decidingRule) {
        assertThat(decision.effect()).as(decision.explain()).isEqualTo(Effect.PERMIT);
        assertThat(decision.deciding().rule()).as(decision.explain()).isEqualTo(decidingRule);
    }

    private static PatientState withRecordedSharing(PatientState state, String organisation,
            OrganisationSharing sharing) {
        return new PatientState(state.patientId(), state.registeredPractice(), state.birthDate(),
                state.exemptCohorts(), state.gpDissent(), state.consents(), state.episodeOrganisations(),
                state.careTeamPractitioners(), Map.of(organisation, sharing));
    }
}
