package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class TokenClaimsReaderTest {

    private static final IdentityProperties.Claims REALM_NAMES =
            new IdentityProperties.Claims("organisation", "practitioner", "purpose_of_use", "roles", "nhs_number");

    @Test
    void readsTheRealmsClaims() {
        Jwt jwt = jwt(Map.of("organisation", "Y90001", "practitioner", "dr-patel",
                "purpose_of_use", List.of("TREAT", "ETREAT"), "roles", List.of("gp", "offline_access")));

        TokenClaims claims = new TokenClaimsReader(REALM_NAMES).read(jwt);

        assertThat(claims.subject()).isEqualTo("user-1");
        assertThat(claims.client()).isEqualTo("shared-care-console");
        assertThat(claims.organisation()).contains("Y90001");
        assertThat(claims.practitioner()).contains("dr-patel");
        assertThat(claims.purposes()).containsExactly("TREAT", "ETREAT");
        assertThat(claims.roles()).containsExactly("gp", "offline_access");
    }

    @Test
    void claimNamesComeFromConfiguration() {
        var otherProvider = new IdentityProperties.Claims("ods_code", "fhir_practitioner", "pou", "groups", "nhs");
        Jwt jwt = jwt(Map.of("ods_code", "RZ9", "fhir_practitioner", "nurse-okafor", "pou", "TREAT",
                "groups", List.of("clinician"), "organisation", "Y90001"));

        TokenClaims claims = new TokenClaimsReader(otherProvider).read(jwt);

        assertThat(claims.organisation()).contains("RZ9");
        assertThat(claims.practitioner()).contains("nurse-okafor");
        assertThat(claims.purposes()).as("a single string counts as a list of one").containsExactly("TREAT");
        assertThat(claims.roles()).containsExactly("clinician");
    }

    @Test
    void claimsOfTheWrongShapeCountAsAbsent() {
        Jwt jwt = jwt(Map.of("organisation", List.of("Y90001", "Y90002"), "roles", Map.of("gp", true)));

        TokenClaims claims = new TokenClaimsReader(REALM_NAMES).read(jwt);

        assertThat(claims.organisation()).isEmpty();
        assertThat(claims.roles()).isEmpty();
        assertThat(claims.purposes()).isEmpty();
    }

    private static Jwt jwt(Map<String, Object> claims) {
        return Jwt.withTokenValue("token")
                .header("alg", "RS256")
                .subject("user-1")
                .claim("azp", "shared-care-console")
                .claims(all -> all.putAll(claims))
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60))
                .build();
    }
}
