package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.SmartScopes.Permission;

class SmartScopesTest {

    @Test
    void version2PermissionsGrantExactlyTheirLetters() {
        SmartScopes scopes = SmartScopes.parse("openid fhirUser user/Observation.rs user/CarePlan.c", Optional.empty());

        assertThat(scopes.allows(Permission.SEARCH, "Observation")).isTrue();
        assertThat(scopes.allows(Permission.READ, "Observation")).isTrue();
        assertThat(scopes.allows(Permission.UPDATE, "Observation")).isFalse();
        assertThat(scopes.allows(Permission.CREATE, "CarePlan")).isTrue();
        assertThat(scopes.allows(Permission.READ, "CarePlan")).isFalse();
        assertThat(scopes.shows("Condition", List.of("Patient/1"))).isFalse();
    }

    @Test
    void version1ReadWriteAndStarAreUnderstood() {
        SmartScopes scopes = SmartScopes.parse("user/*.read system/Observation.write patient/Flag.*",
                Optional.of("42"));

        assertThat(scopes.allows(Permission.SEARCH, "Encounter")).isTrue();
        assertThat(scopes.allows(Permission.CREATE, "Encounter")).isFalse();
        assertThat(scopes.allows(Permission.DELETE, "Observation")).isTrue();
        assertThat(scopes.allows(Permission.UPDATE, "Flag")).isTrue();
    }

    @Test
    void aPatientScopeCoversOnlyResourcesAboutTheLaunchPatientAlone() {
        SmartScopes scopes = SmartScopes.parse("launch/patient patient/*.rs", Optional.of("42"));

        assertThat(scopes.shows("Observation", List.of("Patient/42"))).isTrue();
        assertThat(scopes.shows("Observation", List.of("Patient/43"))).isFalse();
        assertThat(scopes.shows("Observation", List.of("Patient/42", "Patient/43"))).isFalse();
        assertThat(scopes.shows("Subscription", List.of())).as("data about no patient").isFalse();
        assertThat(scopes.showsDirectory("Organization")).isTrue();
    }

    @Test
    void malformedAndUnknownScopesGrantNothing() {
        SmartScopes scopes = SmartScopes.parse("user/observation.rs user/*.xyz patient/*.rs foo/*.rs user/*",
                Optional.empty());

        for (Permission permission : Permission.values()) {
            assertThat(scopes.allows(permission, null)).as(permission.name()).isFalse();
            assertThat(SmartScopes.parse(null, Optional.empty()).allows(permission, null)).isFalse();
        }
    }
}
