package uk.sharedcare.record.access;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SMART on FHIR resource scopes a token carries (App Launch 2.x, {@code patient/Observation.rs},
 * {@code user/*.cruds}, {@code system/*.rs}; the 1.0 forms {@code .read}, {@code .write} and {@code .*} too),
 * with the patient a {@code patient/} scope is confined to ({@code launch/patient} context). Scopes only ever
 * narrow what the sharing policy allows: a resource is shown only if some scope grants its type, and a
 * {@code patient/} scope grants only resources about the launch patient. A token with no resource scope
 * grants nothing. {@code user/} and {@code system/} scopes grant alike: who the caller is, and so what the
 * policy lets them see, comes from the token's roles and organisation.
 *
 * @param grants        every resource scope, as parsed
 * @param launchPatient the patient id of the launch context (the token's {@code patient} claim), if any
 */
public record SmartScopes(List<Grant> grants, Optional<String> launchPatient) {

    /** Who a scope is for: a patient's own record, what the user may see, or a backend service. */
    public enum Context { PATIENT, USER, SYSTEM }

    /** SMART 2 permissions: create, read, update, delete, search. */
    public enum Permission {
        CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

        private final char letter;

        Permission(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }
    }

    /** One scope: a context, a resource type ({@code *} for any) and its permissions. */
    public record Grant(Context context, String resourceType, Set<Permission> permissions) {
        public Grant {
            permissions = Set.copyOf(permissions);
        }

        boolean covers(String type) {
            return resourceType.equals("*") || resourceType.equals(type);
        }
    }

    private static final Pattern RESOURCE_SCOPE =
            Pattern.compile("(patient|user|system)/(\\*|[A-Z][A-Za-z]+)\\.(\\*|read|write|c?r?u?d?s?)");

    public SmartScopes {
        grants = List.copyOf(grants);
    }

    /** {@code user/*.cruds}: the policy alone decides (explaining a decision; tests of the policy itself). */
    public static SmartScopes unrestricted() {
        return parse("user/*.cruds", Optional.empty());
    }

    /** Parses a token's space-separated {@code scope} claim; scopes that are not resource scopes are ignored. */
    public static SmartScopes parse(String scopeClaim, Optional<String> launchPatient) {
        List<Grant> grants = new ArrayList<>();
        for (String scope : scopeClaim == null ? new String[0] : scopeClaim.trim().split("\\s+")) {
            Matcher matcher = RESOURCE_SCOPE.matcher(scope);
            if (matcher.matches()) {
                Set<Permission> permissions = permissions(matcher.group(3));
                if (!permissions.isEmpty()) {
                    grants.add(new Grant(Context.valueOf(matcher.group(1).toUpperCase(Locale.ROOT)),
                            matcher.group(2), permissions));
                }
            }
        }
        return new SmartScopes(grants, launchPatient.filter(patient -> !patient.isBlank()));
    }

    private static Set<Permission> permissions(String text) {
        return switch (text) {
            case "*" -> EnumSet.allOf(Permission.class);
            case "read" -> EnumSet.of(Permission.READ, Permission.SEARCH);
            case "write" -> EnumSet.of(Permission.CREATE, Permission.UPDATE, Permission.DELETE);
            default -> {
                Set<Permission> permissions = EnumSet.noneOf(Permission.class);
                for (Permission permission : Permission.values()) {
                    if (text.indexOf(permission.letter()) >= 0) {
                        permissions.add(permission);
                    }
                }
                yield permissions;
            }
        };
    }

    /** Whether any usable scope grants this on this type (any type, for a {@code null} type). */
    public boolean allows(Permission permission, String resourceType) {
        return usable().anyMatch(grant -> grant.permissions().contains(permission)
                && (resourceType == null || grant.covers(resourceType)));
    }

    /**
     * Whether a resource of this type about these patients may be shown: some scope grants reading or searching
     * its type, and a {@code patient/} scope only if the resource is about the launch patient and no one else.
     */
    public boolean shows(String resourceType, List<String> patients) {
        return usable().anyMatch(grant -> grant.covers(resourceType) && readsOrSearches(grant)
                && (grant.context() != Context.PATIENT || aboutLaunchPatientOnly(patients)));
    }

    /** Whether directory data of this type (organisations, practitioners) may be shown: any context will do. */
    public boolean showsDirectory(String resourceType) {
        return usable().anyMatch(grant -> grant.covers(resourceType) && readsOrSearches(grant));
    }

    /** Whether a write of this kind, about these patients, is within some scope. */
    public boolean writes(Permission permission, String resourceType, List<String> patients) {
        return usable().anyMatch(grant -> grant.covers(resourceType) && grant.permissions().contains(permission)
                && (grant.context() != Context.PATIENT || aboutLaunchPatientOnly(patients)));
    }

    private static boolean readsOrSearches(Grant grant) {
        return grant.permissions().contains(Permission.READ) || grant.permissions().contains(Permission.SEARCH);
    }

    private boolean aboutLaunchPatientOnly(List<String> patients) {
        return !patients.isEmpty() && patients.stream().map(SmartScopes::idPart)
                .allMatch(patient -> launchPatient.map(SmartScopes::idPart).filter(patient::equals).isPresent());
    }

    /** The launch context names a patient by id; the record's references are {@code Patient/<id>}. */
    private static String idPart(String patient) {
        return patient.startsWith("Patient/") ? patient.substring("Patient/".length()) : patient;
    }

    /** A {@code patient/} scope without a launch patient grants nothing. */
    private Stream<Grant> usable() {
        return grants.stream().filter(grant -> grant.context() != Context.PATIENT || launchPatient.isPresent());
    }

    /** The scopes in SMART's own words, for decisions' reasons. */
    public String describe() {
        if (grants.isEmpty()) {
            return "no SMART resource scope";
        }
        return String.join(" ", grants.stream().map(grant -> grant.context().name().toLowerCase(Locale.ROOT) + "/"
                + grant.resourceType() + "." + letters(grant.permissions())).toList())
                + launchPatient.map(patient -> " (launch patient " + patient + ")").orElse("");
    }

    private static String letters(Set<Permission> permissions) {
        StringBuilder letters = new StringBuilder();
        for (Permission permission : Permission.values()) {
            if (permissions.contains(permission)) {
                letters.append(permission.letter());
            }
        }
        return letters.toString();
    }
}
