package uk.sharedcare.record.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * Remembers bearer tokens already verified, until they expire, so that a client sending the same token on every
 * request pays for the signature check once. Only a token that verified is remembered, keyed by its exact text;
 * on every use its claims are validated again (expiry, not-before, issuer, audience), so a remembered token stops
 * working the moment it expires, exactly as an unremembered one would.
 */
final class VerifiedTokenCache implements JwtDecoder {

    private final JwtDecoder verifier;
    private final OAuth2TokenValidator<Jwt> claims;
    private final Cache<String, Jwt> verified;

    VerifiedTokenCache(JwtDecoder verifier, OAuth2TokenValidator<Jwt> claims, Clock clock, int maximumSize) {
        this.verifier = verifier;
        this.claims = claims;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfter(new UntilTokenExpiry(clock))
                .build();
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt known = verified.getIfPresent(token);
        if (known == null) {
            Jwt jwt = verifier.decode(token);
            verified.put(token, jwt);
            return jwt;
        }
        OAuth2TokenValidatorResult stillValid = claims.validate(known);
        if (stillValid.hasErrors()) {
            verified.invalidate(token);
            throw new JwtValidationException("The token is no longer valid", stillValid.getErrors());
        }
        return known;
    }

    /** A remembered token is forgotten when it expires. */
    private record UntilTokenExpiry(Clock clock) implements Expiry<String, Jwt> {
        @Override
        public long expireAfterCreate(String token, Jwt jwt, long now) {
            Instant expiry = jwt.getExpiresAt() == null ? clock.instant() : jwt.getExpiresAt();
            return Math.max(0, Duration.between(clock.instant(), expiry).toNanos());
        }

        @Override
        public long expireAfterUpdate(String token, Jwt jwt, long now, long current) {
            return current;
        }

        @Override
        public long expireAfterRead(String token, Jwt jwt, long now, long current) {
            return current;
        }
    }
}
