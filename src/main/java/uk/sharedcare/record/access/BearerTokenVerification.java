package uk.sharedcare.record.access;

import java.time.Clock;
import java.util.List;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Builds the decoder that decides whether a bearer token is genuine: signed with one of the issuer's published
 * keys by an asymmetric algorithm (so {@code alg: none} and HMAC tokens never verify), from the configured
 * issuer, for this server's audience, carrying an expiry, and inside its {@code nbf}/{@code exp} window. A token
 * that verified is remembered until it expires ({@link VerifiedTokenCache}), its claims checked again on every use.
 */
final class BearerTokenVerification {

    private BearerTokenVerification() {}

    static JwtDecoder decoder(IdentityProperties identity) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(identity.jwkSet().toString())
                .jwsAlgorithms(algorithms -> algorithms.addAll(List.of(
                        SignatureAlgorithm.RS256, SignatureAlgorithm.RS384, SignatureAlgorithm.RS512,
                        SignatureAlgorithm.PS256, SignatureAlgorithm.ES256, SignatureAlgorithm.ES384)))
                .build();
        decoder.setJwtValidator(validator(identity));
        return new VerifiedTokenCache(decoder, validator(identity), Clock.systemUTC(), 100_000);
    }

    static OAuth2TokenValidator<Jwt> validator(IdentityProperties identity) {
        return new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(identity.clockSkew()),
                new JwtIssuerValidator(identity.issuerUri()),
                requireClaim(JwtClaimNames.EXP, "The token has no expiry"),
                jwt -> jwt.getAudience() != null && jwt.getAudience().contains(identity.audience())
                        ? OAuth2TokenValidatorResult.success()
                        : failure("The token is not meant for this server (audience " + identity.audience() + ")"));
    }

    private static OAuth2TokenValidator<Jwt> requireClaim(String claim, String message) {
        return jwt -> jwt.hasClaim(claim) ? OAuth2TokenValidatorResult.success() : failure(message);
    }

    private static OAuth2TokenValidatorResult failure(String message) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", message, null));
    }
}
