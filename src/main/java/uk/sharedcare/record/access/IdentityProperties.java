package uk.sharedcare.record.access;

import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the server trusts access tokens (prefix {@code shared-care.identity}). There is deliberately no setting
 * that turns authentication off.
 *
 * @param issuerUri             the OIDC issuer; tokens must carry exactly this {@code iss}
 * @param jwkSetUri             where the issuer's signing keys are published; Keycloak's location by default
 * @param audience              a value the token's {@code aud} must contain
 * @param clockSkew             tolerance for {@code exp} and {@code nbf}
 * @param authorizationEndpoint advertised to SMART clients; Keycloak's location by default
 * @param tokenEndpoint         advertised to SMART clients; Keycloak's location by default
 * @param claims                names of the claims the access context is read from
 */
@Validated
@ConfigurationProperties("shared-care.identity")
public record IdentityProperties(
        @NotBlank String issuerUri,
        String jwkSetUri,
        @DefaultValue("shared-care-record") @NotBlank String audience,
        @DefaultValue("30s") Duration clockSkew,
        String authorizationEndpoint,
        String tokenEndpoint,
        @DefaultValue Claims claims) {

    private static final String KEYCLOAK_OIDC_PATH = "/protocol/openid-connect";

    public URI jwkSet() {
        return URI.create(orKeycloakDefault(jwkSetUri, "/certs"));
    }

    public URI authorization() {
        return URI.create(orKeycloakDefault(authorizationEndpoint, "/auth"));
    }

    public URI token() {
        return URI.create(orKeycloakDefault(tokenEndpoint, "/token"));
    }

    /** RFC 7662 token introspection, at Keycloak's location under the issuer. */
    public URI introspection() {
        return URI.create(orKeycloakDefault(null, "/token/introspect"));
    }

    /** RFC 7009 token revocation, at Keycloak's location under the issuer. */
    public URI revocation() {
        return URI.create(orKeycloakDefault(null, "/revoke"));
    }

    private String orKeycloakDefault(String configured, String endpoint) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String issuer = issuerUri.endsWith("/") ? issuerUri.substring(0, issuerUri.length() - 1) : issuerUri;
        return issuer + KEYCLOAK_OIDC_PATH + endpoint;
    }

    /** Claim names, as the identity provider's token mappers write them. */
    public record Claims(
            @DefaultValue("organisation") String organisation,
            @DefaultValue("practitioner") String practitioner,
            @DefaultValue("purpose_of_use") String purposeOfUse,
            @DefaultValue("roles") String roles,
            @DefaultValue("nhs_number") String nhsNumber) {}
}
