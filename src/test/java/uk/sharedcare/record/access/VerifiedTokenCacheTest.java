package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/** A verified token is checked once, but its expiry still counts on every request. */
class VerifiedTokenCacheTest {

    private Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final AtomicInteger signatureChecks = new AtomicInteger();

    @Test
    void aTokenSentAgainIsNotVerifiedAgain() {
        JwtDecoder decoder = cache(token -> jwt(token, now.plusSeconds(300)));

        decoder.decode("token-a");
        decoder.decode("token-a");
        decoder.decode("token-a");

        assertThat(signatureChecks).hasValue(1);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItHasExpired() {
        Instant expiry = now.plusSeconds(60);
        JwtDecoder decoder = cache(token -> jwt(token, expiry));
        decoder.decode("token-b");

        now = now.plus(Duration.ofSeconds(61));

        assertThatThrownBy(() -> decoder.decode("token-b")).isInstanceOfAny(JwtValidationException.class,
                BadJwtException.class);
    }

    @Test
    void aTokenThatFailedVerificationIsCheckedAgainEveryTime() {
        JwtDecoder decoder = cache(token -> {
            throw new BadJwtException("bad signature");
        });

        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);

        assertThat(signatureChecks).hasValue(2);
    }

    private JwtDecoder cache(JwtDecoder verifier) {
        JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ZERO);
        timestamps.setClock(clock);
        JwtDecoder counting = token -> { // as the real decoder: the signature, then the claims
            signatureChecks.incrementAndGet();
            Jwt jwt = verifier.decode(token);
            var result = timestamps.validate(jwt);
            if (result.hasErrors()) {
                throw new JwtValidationException("expired", result.getErrors());
            }
            return jwt;
        };
        return new VerifiedTokenCache(counting, timestamps, clock, 100);
    }

    private Jwt jwt(String token, Instant expiry) {
        return Jwt.withTokenValue(token).header("alg", "RS256").subject("dr.patel").issuedAt(expiry.minusSeconds(120))
                .expiresAt(expiry).build();
    }
}
