package uk.sharedcare.console;

import java.util.List;
import java.util.Optional;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * The person signed in to the console, as their access token describes them: the record decides everything from
 * the same token, so these are for the pages alone (which links to offer, whose name to greet).
 *
 * @param name         their name, for the greeting
 * @param roles        their Shared Care Record roles, such as {@code gp}, {@code dpo} or {@code patient}
 * @param organisation the ODS code they act for; empty for a patient
 * @param nhsNumber    a patient's own NHS number; empty for staff
 */
public record ConsoleUser(String name, List<String> roles, Optional<String> organisation, Optional<String> nhsNumber) {

    public ConsoleUser {
        roles = List.copyOf(roles);
    }

    static ConsoleUser of(OidcUser user) {
        Object roles = user.getAttributes().get(TokenRoles.ROLES_ATTRIBUTE);
        return new ConsoleUser(Optional.ofNullable(user.getFullName()).orElse(user.getPreferredUsername()),
                roles instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(),
                Optional.ofNullable(user.getClaimAsString("organisation")),
                Optional.ofNullable(user.getClaimAsString("nhs_number")));
    }

    public boolean has(String role) {
        return roles.contains(role);
    }

    public boolean isPatient() {
        return has("patient");
    }
}
