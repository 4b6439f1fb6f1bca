package uk.sharedcare.record.access;

import java.util.Arrays;
import java.util.Optional;

/** The roles a token can carry that mean something to the Shared Care Record (realm roles in Keycloak). */
public enum Role {
    GP("gp"),
    CLINICIAN("clinician"),
    SOCIAL_WORKER("social-worker"),
    COMMISSIONER("commissioner"),
    DPO("dpo"),
    ADMIN("admin"),
    SYSTEM("system"),
    /** A patient, signed in for themselves (standing in for NHS login), linked to their record by NHS number. */
    PATIENT("patient");

    private final String claimValue;

    Role(String claimValue) {
        this.claimValue = claimValue;
    }

    /** The role's name in the token's roles claim. */
    public String claimValue() {
        return claimValue;
    }

    public static Optional<Role> fromClaimValue(String value) {
        return Arrays.stream(values()).filter(r -> r.claimValue.equals(value)).findFirst();
    }
}
