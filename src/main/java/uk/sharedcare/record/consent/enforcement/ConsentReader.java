package uk.sharedcare.record.consent.enforcement;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.ConsentDirective.Statement;
import uk.sharedcare.record.consent.ConsentDirective;
import uk.sharedcare.record.consent.Effect;

/**
 * Reads a FHIR R4 Consent into a {@link ConsentDirective}: only active consents of scope {@code patient-privacy}
 * count. Provisions are flattened: each nested provision keeps its parents' limits (actor organisations, purposes,
 * resource classes, data period), so an exception is always at least as specific as what it is an exception to.
 */
final class ConsentReader {

    static final String SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";
    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final Function<Reference, Optional<String>> organisationCode;

    /** @param organisationCode resolves an actor reference to the organisation's ODS code */
    ConsentReader(Function<Reference, Optional<String>> organisationCode) {
        this.organisationCode = organisationCode;
    }

    Optional<ConsentDirective> read(Consent consent) {
        if (consent.getStatus() != Consent.ConsentState.ACTIVE || !isPatientPrivacy(consent)
                || !consent.hasProvision() || !consent.getProvision().hasType()) {
            return Optional.empty();
        }
        ProvisionComponent root = consent.getProvision();
        List<Statement> statements = new ArrayList<>();
        flatten(root, Limits.NONE, statements);
        Instant recorded = consent.hasDateTime() ? consent.getDateTime().toInstant()
                : consent.getMeta().hasLastUpdated() ? consent.getMeta().getLastUpdated().toInstant() : Instant.EPOCH;
        Period validity = root.getPeriod();
        return Optional.of(new ConsentDirective(
                consent.getIdElement().toUnqualifiedVersionless().getValue(),
                recorded,
                Optional.ofNullable(validity.getStart()).map(Date::toInstant),
                Optional.ofNullable(validity.getEnd()).map(Date::toInstant),
                statements));
    }

    private static boolean isPatientPrivacy(Consent consent) {
        return consent.getScope().getCoding().stream()
                .anyMatch(c -> SCOPE_SYSTEM.equals(c.getSystem()) && "patient-privacy".equals(c.getCode()));
    }

    private void flatten(ProvisionComponent provision, Limits inherited, List<Statement> into) {
        Limits limits = inherited.narrowedBy(
                actorOrganisations(provision), purposes(provision), resourceTypes(provision),
                day(provision.getDataPeriod().getStart()), day(provision.getDataPeriod().getEnd()));
        if (provision.hasType()) {
            Effect effect = provision.getType() == ConsentProvisionType.PERMIT ? Effect.PERMIT : Effect.DENY;
            into.add(new Statement(effect, limits.actors(), limits.purposes(), limits.types(), limits.from(),
                    limits.to()));
        }
        provision.getProvision().forEach(nested -> flatten(nested, limits, into));
    }

    private Set<String> actorOrganisations(ProvisionComponent provision) {
        Set<String> codes = new HashSet<>();
        provision.getActor().forEach(actor -> organisationCode.apply(actor.getReference()).ifPresent(codes::add));
        return codes;
    }

    private static Set<PurposeOfUse> purposes(ProvisionComponent provision) {
        Set<PurposeOfUse> purposes = new HashSet<>();
        for (Coding purpose : provision.getPurpose()) {
            if (PurposeOfUse.CODE_SYSTEM.equals(purpose.getSystem())) {
                for (PurposeOfUse known : PurposeOfUse.values()) {
                    if (known.code().equals(purpose.getCode())) {
                        purposes.add(known);
                    }
                }
            }
        }
        return purposes;
    }

    private static Set<String> resourceTypes(ProvisionComponent provision) {
        Set<String> types = new HashSet<>();
        provision.getClass_().stream()
                .filter(c -> c.getSystem() == null || c.getSystem().equals("http://hl7.org/fhir/resource-types"))
                .forEach(c -> types.add(c.getCode()));
        return types;
    }

    private static Optional<LocalDate> day(Date date) {
        return Optional.ofNullable(date).map(d -> LocalDate.ofInstant(d.toInstant(), UK));
    }

    /** The limits a provision and its parents set together. */
    private record Limits(Set<String> actors, Set<PurposeOfUse> purposes, Set<String> types,
            Optional<LocalDate> from, Optional<LocalDate> to) {

        static final Limits NONE = new Limits(Set.of(), Set.of(), Set.of(), Optional.empty(), Optional.empty());

        Limits narrowedBy(Set<String> moreActors, Set<PurposeOfUse> morePurposes, Set<String> moreTypes,
                Optional<LocalDate> newFrom, Optional<LocalDate> newTo) {
            return new Limits(
                    moreActors.isEmpty() ? actors : moreActors,
                    morePurposes.isEmpty() ? purposes : morePurposes,
                    moreTypes.isEmpty() ? types : moreTypes,
                    newFrom.isPresent() ? newFrom : from,
                    newTo.isPresent() ? newTo : to);
        }
    }
}
