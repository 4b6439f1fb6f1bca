package uk.sharedcare.record.consent.enforcement;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one list of FHIR operations ({@code $name}) the record offers, where each may be called and how it is
 * enforced. The request guard refuses anything not listed here; the consent service lets through, for the
 * operation to decide itself, only those marked {@link Check#CALLER}. Every other operation is refused with 403,
 * including HAPI's own ({@code $meta}, {@code $expunge}, {@code $reindex}, GraphQL ...).
 */
public final class OfferedOperations {

    /** Where an operation is invoked: on the server, on a resource type, or on one resource. */
    public enum Level { SERVER, TYPE, INSTANCE }

    /** How the sharing policy applies to an operation. */
    public enum Check {
        /** It returns record data, each resource decided by the consent service like a search result. */
        RESULTS,
        /** It reads nothing stored: it checks the body it was sent ({@code $validate}). */
        BODY_ONLY,
        /** It decides for itself who may call it and shows no identifiable data to anyone else. */
        CALLER
    }

    /**
     * @param name           the operation, with its {@code $}
     * @param levels         where it may be invoked
     * @param resourceTypes  the types it may be invoked on at type or instance level (empty: any)
     * @param check          how the policy applies
     * @param inBundles      whether it may be an entry of a batch or transaction
     */
    public record Operation(String name, Set<Level> levels, Set<String> resourceTypes, Check check,
            boolean inBundles) {
        public Operation {
            levels = Set.copyOf(levels);
            resourceTypes = Set.copyOf(resourceTypes);
        }

        boolean offeredAt(Level level, Optional<String> resourceType) {
            return levels.contains(level)
                    && (level == Level.SERVER || resourceTypes.isEmpty()
                            || resourceType.filter(resourceTypes::contains).isPresent());
        }
    }

    private static final Set<String> PATIENT = Set.of("Patient");

    static final List<Operation> ALL = List.of(
            new Operation("$everything", EnumSet.of(Level.TYPE, Level.INSTANCE), PATIENT, Check.RESULTS, true),
            new Operation("$validate", EnumSet.of(Level.TYPE), Set.of(), Check.BODY_ONLY, true),
            new Operation("$explain-access", EnumSet.of(Level.SERVER, Level.INSTANCE), PATIENT, Check.CALLER, true),
            new Operation("$verify-audit-chain", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, true),
            new Operation("$access-report", EnumSet.of(Level.INSTANCE), PATIENT, Check.CALLER, true),
            new Operation("$access-digest", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, true),
            new Operation("$review-break-glass", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, true),
            new Operation("$break-glass-queue", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, true),
            new Operation("$sharing-settings", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false),
            new Operation("$set-sharing-settings", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false),
            new Operation("$start-care", EnumSet.of(Level.TYPE), PATIENT, Check.CALLER, false),
            new Operation("$sharing-agreement", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false),
            new Operation("$set-sharing-agreement", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false),
            new Operation("$export", EnumSet.of(Level.SERVER, Level.TYPE, Level.INSTANCE), Set.of("Group", "Patient"),
                    Check.CALLER, false),
            new Operation("$export-poll-status", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false),
            new Operation("$export-file", EnumSet.of(Level.SERVER), Set.of(), Check.CALLER, false));

    private OfferedOperations() {}

    /** The operation with this name, if the record offers it anywhere. */
    public static Optional<Operation> named(String name) {
        return ALL.stream().filter(operation -> operation.name().equals(name)).findFirst();
    }

    /**
     * Whether the record offers the operation on the server (no type) or on resources of the type (at type or
     * instance level), as the CapabilityStatement should say.
     */
    public static boolean offeredOn(String name, Optional<String> resourceType) {
        return named(name).filter(operation -> resourceType.isEmpty()
                ? operation.offeredAt(Level.SERVER, resourceType)
                : operation.offeredAt(Level.TYPE, resourceType) || operation.offeredAt(Level.INSTANCE, resourceType))
                .isPresent();
    }

    /** Whether the operation decides for itself who may call it (governance, the pseudonymised extract). */
    public static boolean checksCallerItself(String name) {
        return name != null && named(name).filter(operation -> operation.check() == Check.CALLER).isPresent();
    }
}
