package uk.sharedcare.record.consent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists.DissentCode;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;
import uk.sharedcare.record.consent.SecondaryUseSettings;

/** The shipped policy file says what docs/policy.md says it does. */
class PolicyFileTest {

    private final PolicyFile.Loaded shipped = PolicyFile.read(new ClassPathResource("shared-care-policy.yaml"));

    @Test
    void directCareOnlyAndBreakGlassForClinicalRoles() {
        assertThat(shipped.settings().identifiablePurposes()).containsExactlyInAnyOrder(PurposeOfUse.TREAT,
                PurposeOfUse.ETREAT);
        assertThat(shipped.settings().breakGlassRoles()).containsExactlyInAnyOrder(Role.GP, Role.CLINICIAN);
        assertThat(shipped.settings().childAge()).isEqualTo(16);
        assertThat(shipped.settings().gpDissentBlocksLocalSharing()).isTrue();
    }

    @Test
    void northgateIsOptInAndOthersShareByDefault() {
        assertThat(shipped.settings().sharingOf("Y90002").model()).isEqualTo(SharingModel.OPT_IN);
        assertThat(shipped.settings().sharingOf("Y90001").model()).isEqualTo(SharingModel.SHARE_BY_DEFAULT);
    }

    @Test
    void socialWorkersSeeSocialCareAndEncountersWithoutDetail() {
        assertThat(shipped.settings().roleViews().get(Role.SOCIAL_WORKER))
                .containsExactlyInAnyOrder("Patient", "EpisodeOfCare", "CarePlan", "CareTeam", "Encounter");
        assertThat(shipped.settings().redactedForRoles().get(Role.SOCIAL_WORKER)).containsExactly("Encounter");
        assertThat(shipped.settings().roleViews().get(Role.COMMISSIONER)).isEmpty();
    }

    @Test
    void dissentCodesIncludeTheReadAndSnomedCodesOfBothTypes() {
        CodeLists codes = shipped.codes();

        assertThat(codes.dissentCode(List.of(new Code("http://read.info/ctv3", "XaZ89")))).contains(DissentCode.TYPE_1);
        assertThat(codes.dissentCode(List.of(new Code("http://snomed.info/sct", "881561000000100"))))
                .contains(DissentCode.TYPE_2);
        assertThat(codes.dissentCode(List.of(new Code("http://read.info/readv2", "9Nu1"))))
                .contains(DissentCode.TYPE_1_WITHDRAWN);
    }

    @Test
    void sexualHealthCodesEarnTheirLabels() {
        assertThat(shipped.codes().sensitiveLabelsFor(List.of(new Code("http://snomed.info/sct", "86406008"))))
                .containsExactly("HIV");
        assertThat(shipped.codes().sensitiveLabelsFor(List.of(new Code("http://snomed.info/sct", "38341003"))))
                .isEmpty();
        assertThat(shipped.settings().sensitiveLabels()).contains("SEX", "STD", "HIV", "SDV");
    }

    @Test
    void unknownRoleInThePolicyIsRefused() {
        var file = new ByteArrayResource("policy:\n  role-views:\n    nurse-practitioner: [Patient]\n"
                .getBytes(StandardCharsets.UTF_8), "bad-policy.yaml");

        assertThatThrownBy(() -> PolicyFile.read(file)).hasStackTraceContaining("Unknown role 'nurse-practitioner'");
    }

    @Test
    void shippedPolicyNamesTheExtractRecipientsAndTheirPurposes() {
        SecondaryUseSettings secondaryUse = shipped.secondaryUse();

        org.assertj.core.api.Assertions.assertThat(secondaryUse.recipients().get("QZ9"))
                .containsExactly(uk.sharedcare.record.access.PurposeOfUse.HOPERAT);
        org.assertj.core.api.Assertions.assertThat(secondaryUse.recipients().get("X9Z01"))
                .contains(uk.sharedcare.record.access.PurposeOfUse.HRESCH);
        org.assertj.core.api.Assertions.assertThat(secondaryUse.birthDatePrecision())
                .isEqualTo(SecondaryUseSettings.BirthDatePrecision.YEAR);
    }
}
