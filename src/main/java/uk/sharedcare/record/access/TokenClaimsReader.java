package uk.sharedcare.record.access;

import java.util.List;
import java.util.Optional;
import org.springframework.security.oauth2.jwt.Jwt;

/** Pulls the claims the access context needs out of a verified JWT, by the configured claim names. */
final class TokenClaimsReader {

    private final IdentityProperties.Claims names;

    TokenClaimsReader(IdentityProperties.Claims names) {
        this.names = names;
    }

    TokenClaims read(Jwt jwt) {
        return new TokenClaims(
                jwt.getSubject(),
                stringClaim(jwt, "azp"),
                Optional.ofNullable(stringClaim(jwt, names.organisation())),
                Optional.ofNullable(stringClaim(jwt, names.practitioner())),
                listClaim(jwt, names.purposeOfUse()),
                listClaim(jwt, names.roles()),
                SmartScopes.parse(stringClaim(jwt, "scope"), Optional.ofNullable(stringClaim(jwt, "patient"))),
                Optional.ofNullable(stringClaim(jwt, names.nhsNumber())));
    }

    private static String stringClaim(Jwt jwt, String name) {
        Object value = jwt.getClaim(name);
        return value instanceof String text ? text : null;
    }

    /** A claim that should be a list of strings; a single string counts as a list of one, anything else as none. */
    private static List<String> listClaim(Jwt jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value instanceof String single) {
            return List.of(single);
        }
        if (value instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }
}
