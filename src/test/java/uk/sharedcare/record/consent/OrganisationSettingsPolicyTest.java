package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.record.consent.PolicyFixtures.NORTHGATE;
import static uk.sharedcare.record.consent.PolicyFixtures.RIVERSIDE;
import static uk.sharedcare.record.consent.PolicyFixtures.TRUST;
import static uk.sharedcare.record.consent.PolicyFixtures.context;
import static uk.sharedcare.record.consent.PolicyFixtures.drPatel;
import static uk.sharedcare.record.consent.PolicyFixtures.nurseOkafor;

import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;

class OrganisationSettingsPolicyTest {

    private final OrganisationSettingsPolicy policy = new OrganisationSettingsPolicy();

    @Test
    void aPracticesGpChangesItsOwnSharing() {
        Decision decision = policy.decideChange(drPatel(), RIVERSIDE);

        assertThat(decision.permits()).isTrue();
        assertThat(decision.deciding().rule()).isEqualTo(PolicyRule.ORGANISATION_SETTINGS);
    }

    @Test
    void aGpCannotChangeAnotherPracticesSharing() {
        Decision decision = policy.decideChange(drPatel(), NORTHGATE);

        assertThat(decision.permits()).isFalse();
        assertThat(decision.deciding().explain()).contains("only " + NORTHGATE + "'s GPs or an admin");
    }

    @Test
    void aClinicianOfTheOrganisationCannotChangeItsSharing() {
        assertThat(policy.decideChange(nurseOkafor(), TRUST).permits()).isFalse();
    }

    @Test
    void anAdminChangesAnyOrganisationsSharing() {
        assertThat(policy.decideChange(context("admin.scr", "QZ9", Role.ADMIN, null, PurposeOfUse.HOPERAT),
                NORTHGATE).permits()).isTrue();
    }

    @Test
    void anOrganisationsOwnUsersAndDataProtectionOfficersReadItsSharingAndOthersDoNot() {
        assertThat(policy.decideRead(nurseOkafor(), TRUST).permits()).isTrue();
        assertThat(policy.decideRead(context("dpo.williams", "QZ9", Role.DPO, null, PurposeOfUse.TREAT), RIVERSIDE)
                .permits()).isTrue();
        assertThat(policy.decideRead(nurseOkafor(), RIVERSIDE).permits()).isFalse();
    }

    @Test
    void onlyAnAdminRecordsASharingAgreementNotEvenTheOrganisationsOwnGp() {
        assertThat(policy.decideAgreementChange(context("admin.scr", "QZ9", Role.ADMIN, null, PurposeOfUse.HOPERAT),
                RIVERSIDE).permits()).isTrue();
        Decision ownGp = policy.decideAgreementChange(drPatel(), RIVERSIDE);
        assertThat(ownGp.permits()).isFalse();
        assertThat(ownGp.deciding().rule()).isEqualTo(PolicyRule.SHARING_AGREEMENT);
    }

    @Test
    void anOrganisationsAgreementIsReadByItsOwnUsersAndDataProtectionOfficersAndNotByOthers() {
        assertThat(policy.decideAgreementRead(nurseOkafor(), TRUST).permits()).isTrue();
        assertThat(policy.decideAgreementRead(context("dpo.williams", "QZ9", Role.DPO, null, PurposeOfUse.TREAT),
                RIVERSIDE).permits()).isTrue();
        assertThat(policy.decideAgreementRead(nurseOkafor(), RIVERSIDE).permits()).isFalse();
    }
}
