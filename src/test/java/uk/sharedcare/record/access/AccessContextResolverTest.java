package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.AccessContextResolver.Granted;
import uk.sharedcare.record.access.AccessContextResolver.Refused;
import uk.sharedcare.record.access.AccessContextResolver.Resolution;

class AccessContextResolverTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private final AccessContextResolver resolver = new AccessContextResolver();

    @Test
    void gpTokenWithoutHeaderActsForTreatment() {
        AccessContext context = granted(resolver.resolve(gp(), Optional.empty(), Optional.empty(), NOW));

        assertThat(context.purpose()).isEqualTo(PurposeOfUse.TREAT);
        assertThat(context.organisation()).isEqualTo("Y90001");
        assertThat(context.roles()).containsExactly(Role.GP);
        assertThat(context.practitioner()).contains("dr-patel");
        assertThat(context.client()).isEqualTo("shared-care-console");
        assertThat(context.at()).isEqualTo(NOW);
        assertThat(context.isBreakGlass()).isFalse();
    }

    @Test
    void unknownRolesAreIgnoredAndKnownOnesKept() {
        TokenClaims token = new TokenClaims("u", "c", Optional.of("RZ9"), Optional.empty(), List.of("TREAT"),
                List.of("offline_access", "clinician", "default-roles-shared-care"), SmartScopes.unrestricted());

        assertThat(granted(resolver.resolve(token, Optional.empty(), Optional.empty(), NOW)).roles())
                .containsExactly(Role.CLINICIAN);
    }

    @Test
    void tokenWithOnlyUnknownRolesIsRefused() {
        TokenClaims token = new TokenClaims("u", "c", Optional.of("RZ9"), Optional.empty(), List.of("TREAT"),
                List.of("offline_access"), SmartScopes.unrestricted());

        assertThat(refusal(resolver.resolve(token, Optional.empty(), Optional.empty(), NOW)))
                .contains("no Shared Care Record role");
    }

    @Test
    void blankOrganisationIsRefused() {
        TokenClaims token = new TokenClaims("u", "c", Optional.of(" "), Optional.empty(), List.of("TREAT"),
                List.of("gp"), SmartScopes.unrestricted());

        assertThat(refusal(resolver.resolve(token, Optional.empty(), Optional.empty(), NOW)))
                .contains("names no organisation");
    }

    @Test
    void assertedPurposeMustBePermittedByTheToken() {
        assertThat(refusal(resolver.resolve(gp(), Optional.of("HOPERAT"), Optional.empty(), NOW)))
                .contains("does not permit purpose of use HOPERAT");
    }

    @Test
    void withoutHeaderAndWithoutTreatPermissionThereIsNoSilentDefault() {
        TokenClaims commissioner = new TokenClaims("u", "c", Optional.of("QZ9"), Optional.empty(),
                List.of("HOPERAT"), List.of("commissioner"), SmartScopes.unrestricted());

        assertThat(refusal(resolver.resolve(commissioner, Optional.empty(), Optional.empty(), NOW)))
                .contains("does not permit TREAT");
        assertThat(granted(resolver.resolve(commissioner, Optional.of("HOPERAT"), Optional.empty(), NOW)).purpose())
                .isEqualTo(PurposeOfUse.HOPERAT);
    }

    @Test
    void breakGlassNeedsANonBlankReason() {
        assertThat(refusal(resolver.resolve(gp(), Optional.of("ETREAT"), Optional.of("   "), NOW)))
                .contains("needs a reason");

        AccessContext context = granted(resolver.resolve(gp(), Optional.of("ETREAT"),
                Optional.of(" Collapsed at home "), NOW));
        assertThat(context.isBreakGlass()).isTrue();
        assertThat(context.breakGlassReason()).contains("Collapsed at home");
    }

    @Test
    void breakGlassReasonHasALengthLimit() {
        String essay = "x".repeat(AccessContextResolver.MAX_REASON_LENGTH + 1);

        assertThat(refusal(resolver.resolve(gp(), Optional.of("ETREAT"), Optional.of(essay), NOW)))
                .contains("longer than");
    }

    @Test
    void reasonWithoutBreakGlassIsNotKept() {
        AccessContext context = granted(resolver.resolve(gp(), Optional.of("TREAT"), Optional.of("because"), NOW));

        assertThat(context.breakGlassReason()).isEmpty();
    }

    @Test
    void unknownPurposeCodeIsRefusedWithTheKnownOnes() {
        assertThat(refusal(resolver.resolve(gp(), Optional.of("treat"), Optional.empty(), NOW)))
                .contains("'treat' is not a purpose of use").contains("TREAT, ETREAT");
    }

    @Test
    void aPatientsTokenGivesAContextOfTheirOwnNamedByNhsNumberAndNoOrganisation() {
        AccessContext patient = granted(resolver.resolve(patient(Optional.of("9434765919"), "patient"),
                Optional.empty(), Optional.empty(), NOW));

        assertThat(patient.isPatient()).isTrue();
        assertThat(patient.purpose()).isEqualTo(PurposeOfUse.PATRQT);
        assertThat(patient.organisation()).isEqualTo("patient:9434765919");
    }

    @Test
    void aPatientsTokenWithoutAnNhsNumberOrWithAStaffRoleOrAnotherPurposeIsRefused() {
        assertThat(refusal(resolver.resolve(patient(Optional.empty(), "patient"), Optional.empty(), Optional.empty(),
                NOW))).contains("NHS number");
        assertThat(refusal(resolver.resolve(patient(Optional.of("9434765919"), "patient", "gp"), Optional.empty(),
                Optional.empty(), NOW))).contains("no other Shared Care Record role");
        assertThat(refusal(resolver.resolve(patient(Optional.of("9434765919"), "patient"), Optional.of("TREAT"),
                Optional.empty(), NOW))).contains("PATRQT");
    }

    private static TokenClaims patient(Optional<String> nhsNumber, String... roles) {
        return new TokenClaims("patient.hughes", "shared-care-console", Optional.empty(), Optional.empty(),
                List.of("PATRQT"), List.of(roles), SmartScopes.unrestricted(), nhsNumber);
    }

    private static TokenClaims gp() {
        return new TokenClaims("dr.patel", "shared-care-console", Optional.of("Y90001"), Optional.of("dr-patel"),
                List.of("TREAT", "ETREAT"), List.of("gp", "offline_access"), SmartScopes.unrestricted());
    }

    private static AccessContext granted(Resolution resolution) {
        assertThat(resolution).isInstanceOf(Granted.class);
        return ((Granted) resolution).context();
    }

    private static String refusal(Resolution resolution) {
        assertThat(resolution).isInstanceOf(Refused.class);
        return ((Refused) resolution).reason();
    }
}
