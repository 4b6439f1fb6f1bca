package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.record.consent.PolicyFixtures.NORTHGATE;
import static uk.sharedcare.record.consent.PolicyFixtures.NOW;
import static uk.sharedcare.record.consent.PolicyFixtures.RIVERSIDE;
import static uk.sharedcare.record.consent.PolicyFixtures.TRUST;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.SecondaryUseSettings;

/** Rule 10, the secondary-use policy, with no server: who may take extracts and who and what is left out. */
class SecondaryUsePolicyTest {

    private static final String ICB = "QZ9";
    private static final String ANALYTICS = "X9Z01";

    private final SecondaryUsePolicy policy = new SecondaryUsePolicy(PolicyFixtures.settings(),
            new SecondaryUseSettings(Map.of(ICB, Set.of(PurposeOfUse.HOPERAT),
                    ANALYTICS, EnumSet.of(PurposeOfUse.HOPERAT, PurposeOfUse.HRESCH)),
                    SecondaryUseSettings.BirthDatePrecision.YEAR));

    @Test
    void commissionerOfARecipientMayTakeACommissioningExtract() {
        Decision decision = policy.decideExtract(caller(ICB, Role.COMMISSIONER, PurposeOfUse.HOPERAT));

        assertThat(decision.permits()).isTrue();
        assertThat(decision.deciding().rule()).isEqualTo(PolicyRule.SECONDARY_USE);
    }

    @Test
    void analyticsSystemMayTakeAResearchExtractOnlyWhereItsRecipientIsApprovedForResearch() {
        assertThat(policy.decideExtract(caller(ANALYTICS, Role.SYSTEM, PurposeOfUse.HRESCH)).permits()).isTrue();
        assertThat(policy.decideExtract(caller(ICB, Role.COMMISSIONER, PurposeOfUse.HRESCH)).permits()).isFalse();
    }

    @Test
    void directCareRolesNeverTakeExtractsEvenAtARecipient() {
        Decision gp = policy.decideExtract(caller(ICB, Role.GP, PurposeOfUse.HOPERAT));

        assertThat(gp.permits()).isFalse();
        assertThat(gp.deciding().detail()).contains("do not take extracts");
    }

    @Test
    void organisationThatIsNotARecipientGetsNoExtract() {
        assertThat(policy.decideExtract(caller(RIVERSIDE, Role.SYSTEM, PurposeOfUse.HOPERAT)).permits()).isFalse();
        assertThat(policy.decideRecipient(TRUST, PurposeOfUse.HOPERAT).permits()).isFalse();
    }

    @Test
    void typeOneAndTypeTwoDissentLeaveThePatientOutUnderTheirOwnCounts() {
        assertThat(policy.excludePatient(withDissent(GpDissent.Type.TYPE_1), NOW)).get()
                .extracting(Exclusion::category).isEqualTo("gp-dissent-type-1");
        assertThat(policy.excludePatient(withDissent(GpDissent.Type.TYPE_2), NOW)).get()
                .extracting(Exclusion::category).isEqualTo("gp-dissent-type-2");
    }

    @Test
    void exemptCohortsAndChildrenAreLeftOut() {
        PatientState psych = patient(RIVERSIDE, LocalDate.of(1980, 1, 1), Set.of("mental-illness"), List.of());
        PatientState child = patient(RIVERSIDE, LocalDate.of(2015, 1, 1), Set.of(), List.of());

        assertThat(policy.excludePatient(psych, NOW)).get().extracting(Exclusion::category)
                .isEqualTo("exempt-cohort-mental-illness");
        assertThat(policy.excludePatient(child, NOW)).get().extracting(Exclusion::category)
                .isEqualTo("exempt-cohort-child");
    }

    @Test
    void adultWithoutDissentOrCohortIsIncluded() {
        assertThat(policy.excludePatient(patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(), List.of()), NOW))
                .isEmpty();
    }

    @Test
    void sensitiveDataIsLeftOutOfAnIncludedPatientsRecord() {
        PatientState adult = patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(), List.of());

        assertThat(exclude(adult, PolicyFixtures.recordedBy("Condition", RIVERSIDE, "HIV"))).get()
                .extracting(Exclusion::category).isEqualTo("sensitive-data");
        assertThat(exclude(adult, PolicyFixtures.recordedBy("Observation", RIVERSIDE))).isEmpty();
    }

    @Test
    void localOptOutLeavesOutEveryPurpose() {
        PatientState optedOut = patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(),
                List.of(PolicyFixtures.dissent("optout", NOW.minusSeconds(60), PolicyFixtures.denyAll())));

        Optional<Exclusion> exclusion = exclude(optedOut, PolicyFixtures.recordedBy("Patient", RIVERSIDE));

        assertThat(exclusion).get().extracting(Exclusion::category).isEqualTo("local-opt-out");
        assertThat(exclusion.get().reason().evidence()).contains("Consent/optout");
    }

    @Test
    void optInPracticesPatientsAreLeftOutUntilTheyOptIn() {
        PatientState notOptedIn = patient(NORTHGATE, LocalDate.of(1950, 1, 1), Set.of(), List.of());
        PatientState optedIn = patient(NORTHGATE, LocalDate.of(1950, 1, 1), Set.of(),
                List.of(PolicyFixtures.dissent("optin", NOW.minusSeconds(60), PolicyFixtures.permitAll())));

        assertThat(exclude(notOptedIn, PolicyFixtures.recordedBy("Patient", NORTHGATE))).get()
                .extracting(Exclusion::category).isEqualTo("no-opt-in");
        assertThat(exclude(optedIn, PolicyFixtures.recordedBy("Patient", NORTHGATE))).isEmpty();
    }

    @Test
    void custodianThatSharesOnlyWithListedOrganisationsKeepsItsDataOutOfOtherRecipientsExtracts() {
        PolicySettings base = PolicyFixtures.settings();
        PolicySettings listing = new PolicySettings(base.childAge(), base.gpDissentBlocksLocalSharing(),
                base.identifiablePurposes(), base.breakGlassRoles(), base.sensitiveLabels(),
                Map.of(TRUST, new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of(ICB))),
                base.roleViews(), base.redactedForRoles());
        SecondaryUsePolicy withList = new SecondaryUsePolicy(listing, policy.settings());
        PatientState adult = patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(), List.of());

        assertThat(withList.excludeResource(adult, PolicyFixtures.recordedBy("Encounter", TRUST), ANALYTICS,
                PurposeOfUse.HOPERAT, NOW)).get().extracting(Exclusion::category).isEqualTo("custodian-allow-list");
        assertThat(withList.excludeResource(adult, PolicyFixtures.recordedBy("Encounter", TRUST), ICB,
                PurposeOfUse.HOPERAT, NOW)).isEmpty();
    }

    @Test
    void dataOfACustodianOutsideTheSchemeOnTheReferenceDateIsLeftOutAndCountedUnderItsOwnRule() {
        SharingAgreement ended = new SharingAgreement(TRUST, LocalDate.of(2025, 4, 1),
                Optional.of(LocalDate.of(2026, 3, 31)), "AuditEvent/agreement");
        PatientState adult = patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(), List.of())
                .withParticipation(new SchemeParticipation(false, Map.of(TRUST, ended)));

        assertThat(exclude(adult, PolicyFixtures.recordedBy("Encounter", TRUST))).get()
                .extracting(Exclusion::category).isEqualTo("sharing-agreement");
        assertThat(exclude(adult, PolicyFixtures.recordedBy("Encounter", RIVERSIDE))).isEmpty();
    }

    @Nested
    class NationalDataOptOut {

        private final LocalDate today = LocalDate.of(2026, 11, 30);
        private final SecondaryUsePolicy aggregatesExempt = new SecondaryUsePolicy(PolicyFixtures.settings(),
                new SecondaryUseSettings(policy.settings().recipients(), SecondaryUseSettings.BirthDatePrecision.YEAR,
                        new SecondaryUseSettings.NationalOptOut(14, Set.of(ANALYTICS))));

        @Test
        void anExtractWithoutAnAnswerOfTheNationalServiceIsNotMade() {
            Decision decision = policy.decideNationalOptOut(ICB, Optional.empty(), today);

            assertThat(decision.permits()).isFalse();
            assertThat(decision.deciding().rule()).isEqualTo(PolicyRule.NATIONAL_DATA_OPT_OUT);
            assertThat(decision.deciding().detail()).contains("no answer of the National Data Opt-out service");
        }

        @Test
        void anAnswerOlderThanTheConfiguredAgeIsNotUsed() {
            assertThat(policy.decideNationalOptOut(ICB, Optional.of(answer(today.minusDays(30))), today).permits())
                    .as("30 days, the default limit").isTrue();
            Decision stale = policy.decideNationalOptOut(ICB, Optional.of(answer(today.minusDays(31))), today);

            assertThat(stale.permits()).isFalse();
            assertThat(stale.deciding().detail()).contains("31 days ago").contains("older than 30 days");
            assertThat(aggregatesExempt.decideNationalOptOut(ICB, Optional.of(answer(today.minusDays(15))), today)
                    .permits()).as("a configured limit of 14 days").isFalse();
        }

        @Test
        void anAnswerDatedAfterTodayIsNotUsed() {
            assertThat(policy.decideNationalOptOut(ICB, Optional.of(answer(today.plusDays(1))), today).permits())
                    .isFalse();
        }

        @Test
        void aRecipientConfiguredAsNotNeedingItGetsItsExtractWithoutAnAnswer() {
            Decision decision = aggregatesExempt.decideNationalOptOut(ANALYTICS, Optional.empty(), today);

            assertThat(decision.permits()).isTrue();
            assertThat(decision.deciding().detail()).contains(ANALYTICS + " is configured as not needing");
            assertThat(aggregatesExempt.needsNationalOptOut(ICB)).isTrue();
            assertThat(aggregatesExempt.decideNationalOptOut(ICB, Optional.empty(), today).permits()).isFalse();
        }

        @Test
        void aPatientTheAnswerDoesNotAllowIsLeftOutUnderTheirOwnRule() {
            NationalOptOutList mayBeUsed = answer(today);

            assertThat(policy.excludeNationally(withNhsNumber("9990000018"), mayBeUsed)).isEmpty();
            assertThat(policy.excludeNationally(withNhsNumber("9990000026"), mayBeUsed)).get()
                    .extracting(Exclusion::category).isEqualTo("national-data-opt-out");
        }

        @Test
        void anAnswerListingTheOptedOutLeavesOutOnlyThose() {
            NationalOptOutList optedOut = new NationalOptOutList(NationalOptOutList.Meaning.OPTED_OUT,
                    Set.of("9990000018"), today, "test", "0");

            assertThat(policy.excludeNationally(withNhsNumber("9990000018"), optedOut)).get()
                    .extracting(Exclusion::category).isEqualTo("national-data-opt-out");
            assertThat(policy.excludeNationally(withNhsNumber("9990000026"), optedOut)).isEmpty();
        }

        @Test
        void aPatientWithoutAnNhsNumberCannotBeCheckedAndIsLeftOut() {
            PatientState unnumbered = patient(RIVERSIDE, LocalDate.of(1950, 1, 1), Set.of(), List.of());

            assertThat(policy.excludeNationally(unnumbered, answer(today))).get()
                    .extracting(Exclusion::category).isEqualTo("national-data-opt-out-unchecked");
        }

        private NationalOptOutList answer(LocalDate checkedOn) {
            return new NationalOptOutList(NationalOptOutList.Meaning.MAY_BE_USED, Set.of("9990000018"), checkedOn,
                    "test answer", "0");
        }

        private PatientState withNhsNumber(String nhsNumber) {
            return new PatientState("Patient/p", Optional.of(RIVERSIDE), Optional.of(LocalDate.of(1950, 1, 1)),
                    Set.of(), Optional.empty(), List.of(), Set.of(), Set.of(), Map.of(), Optional.of(nhsNumber));
        }
    }

    private Optional<Exclusion> exclude(PatientState patient, ResourceFacts resource) {
        return policy.excludeResource(patient, resource, ICB, PurposeOfUse.HOPERAT, NOW);
    }

    private static AccessContext caller(String organisation, Role role, PurposeOfUse purpose) {
        return PolicyFixtures.context("someone", organisation, role, null, purpose);
    }

    private static PatientState withDissent(GpDissent.Type type) {
        return new PatientState("Patient/p", Optional.of(RIVERSIDE), Optional.of(LocalDate.of(1950, 1, 1)),
                Set.of(), Optional.of(new GpDissent(type, "Observation/dissent")), List.of(), Set.of(), Set.of());
    }

    private static PatientState patient(String practice, LocalDate born, Set<String> cohorts,
            List<ConsentDirective> consents) {
        return new PatientState("Patient/p", Optional.of(practice), Optional.of(born), cohorts, Optional.empty(),
                consents, Set.of(), Set.of());
    }
}
