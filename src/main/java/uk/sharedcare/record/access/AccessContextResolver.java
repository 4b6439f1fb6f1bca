package uk.sharedcare.record.access;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides whether a verified token, with the request's purpose-of-use headers, gives a usable
 * {@link AccessContext}, and if not, says why in words a caller can act on. Pure: no Spring, no HTTP.
 *
 * <p>The purpose of use comes from the {@value #PURPOSE_HEADER} header and must be one the token permits.
 * Without the header, the purpose is TREAT if the token permits TREAT; otherwise the request is refused rather
 * than given a silent default. ETREAT (break-glass) also needs a reason in {@value #BREAK_GLASS_REASON_HEADER}.
 */
public final class AccessContextResolver {

    public static final String PURPOSE_HEADER = "X-Purpose-Of-Use";
    public static final String BREAK_GLASS_REASON_HEADER = "X-Break-Glass-Reason";
    static final int MAX_REASON_LENGTH = 1000;
    private static final Pattern NHS_NUMBER = Pattern.compile("[0-9]{10}");

    /** The outcome: a context, or the reason there is none. */
    public sealed interface Resolution permits Granted, Refused {}

    public record Granted(AccessContext context) implements Resolution {}

    public record Refused(String reason) implements Resolution {}

    public Resolution resolve(TokenClaims token, Optional<String> purposeHeader, Optional<String> reasonHeader,
            Instant at) {
        Set<Role> roles = knownRoles(token);
        if (roles.isEmpty()) {
            return new Refused("The access token carries no Shared Care Record role (one of "
                    + roleNames(EnumSet.allOf(Role.class)) + ")");
        }
        if (roles.contains(Role.PATIENT)) {
            return resolvePatient(token, roles, purposeHeader, at);
        }
        Optional<String> organisation = token.organisation().filter(o -> !o.isBlank());
        if (organisation.isEmpty()) {
            return new Refused("The access token names no organisation; every access is made for an organisation");
        }
        Optional<String> asserted = purposeHeader.map(String::trim).filter(p -> !p.isEmpty());
        if (asserted.isEmpty() && !token.purposes().contains(PurposeOfUse.TREAT.code())) {
            return new Refused("No " + PURPOSE_HEADER + " header was sent and the token does not permit TREAT;"
                    + " name the purpose of use, one of " + token.purposes());
        }
        String code = asserted.orElse(PurposeOfUse.TREAT.code());
        Optional<PurposeOfUse> purpose = PurposeOfUse.fromCode(code);
        if (purpose.isEmpty()) {
            return new Refused("'" + code + "' is not a purpose of use this server knows; use a v3 ActReason code"
                    + " such as TREAT, ETREAT, HOPERAT, HRESCH or PUBHLTH");
        }
        if (!token.purposes().contains(code)) {
            return new Refused("The access token does not permit purpose of use " + code
                    + "; it permits " + token.purposes());
        }
        Optional<String> reason = reasonHeader.map(String::trim).filter(r -> !r.isEmpty());
        if (purpose.get() == PurposeOfUse.ETREAT) {
            if (reason.isEmpty()) {
                return new Refused("Break-glass access (ETREAT) needs a reason in the " + BREAK_GLASS_REASON_HEADER
                        + " header");
            }
            if (reason.get().length() > MAX_REASON_LENGTH) {
                return new Refused("The break-glass reason is longer than " + MAX_REASON_LENGTH + " characters");
            }
        }
        return new Granted(new AccessContext(
                token.subject(),
                token.client(),
                organisation.get(),
                roles,
                token.practitioner().filter(p -> !p.isBlank()),
                purpose.get(),
                purpose.get() == PurposeOfUse.ETREAT ? reason : Optional.empty(),
                at,
                token.scopes()));
    }

    /**
     * A patient signs in for themselves: no organisation, no staff role, their NHS number, and the purpose
     * "patient requested" (PATRQT) only.
     */
    private static Resolution resolvePatient(TokenClaims token, Set<Role> roles, Optional<String> purposeHeader,
            Instant at) {
        if (roles.size() > 1) {
            return new Refused("A patient's access token carries no other Shared Care Record role");
        }
        Optional<String> nhsNumber = token.nhsNumber().filter(number -> NHS_NUMBER.matcher(number).matches());
        if (nhsNumber.isEmpty()) {
            return new Refused("A patient's access token must carry their NHS number (10 digits)");
        }
        String code = purposeHeader.map(String::trim).filter(p -> !p.isEmpty()).orElse(PurposeOfUse.PATRQT.code());
        if (!PurposeOfUse.PATRQT.code().equals(code) || !token.purposes().contains(code)) {
            return new Refused("A patient's access is for purpose of use PATRQT (patient requested) only, and the"
                    + " token must permit it");
        }
        return new Granted(new AccessContext(token.subject(), token.client(),
                AccessContext.PATIENT_PREFIX + nhsNumber.get(), roles, Optional.empty(), PurposeOfUse.PATRQT,
                Optional.empty(), at, token.scopes(), nhsNumber));
    }

    private static Set<Role> knownRoles(TokenClaims token) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        token.roles().forEach(name -> Role.fromClaimValue(name).ifPresent(roles::add));
        return roles;
    }

    private static String roleNames(Set<Role> roles) {
        return roles.stream().map(Role::claimValue).collect(Collectors.joining(", "));
    }
}
