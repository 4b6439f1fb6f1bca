package uk.sharedcare.record.settings;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.audit.AccessRecord;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditInterceptor;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.OrganisationSettingsPolicy;
import uk.sharedcare.record.consent.SharingAgreement;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * Organisations' sharing agreements with the scheme (rule 11), read and recorded at runtime:
 * <ul>
 *   <li>{@code GET [base]/$sharing-agreement?organisation=<ODS>}: the organisation's agreement, whether it takes
 *       part today, and the AuditEvent that recorded it;</li>
 *   <li>{@code POST [base]/$set-sharing-agreement} with {@code organisation}, {@code start} and an optional
 *       {@code end} (dates, both days included): an admin records the agreement, effective for the next request on
 *       every node.</li>
 * </ul>
 * A change is stored in the same transaction as the AuditEvent that records it; both are stored, or neither.
 */
public final class SharingAgreementProvider {

    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final OrganisationSettingsPolicy policy;
    private final SharingAgreementStore store;
    private final AuditTrail trail;
    private final AuditEventFactory events;

    public SharingAgreementProvider(OrganisationSettingsPolicy policy, SharingAgreementStore store, AuditTrail trail,
            AuditEventFactory events) {
        this.policy = policy;
        this.store = store;
        this.trail = trail;
        this.events = events;
    }

    @Operation(name = "$sharing-agreement", idempotent = true)
    @Description(shortDefinition = "An organisation's sharing agreement with the scheme, and whether it takes part"
            + " today")
    public Parameters read(@OperationParam(name = "organisation", min = 1, max = 1) StringType organisation,
            RequestDetails request) {
        String ods = SharingSettingsProvider.odsCode(organisation, "organisation");
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideAgreementRead(who, ods);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        return describe(ods, today(who));
    }

    @Operation(name = "$set-sharing-agreement")
    @Description(shortDefinition = "Records an organisation's sharing agreement with the scheme: its first day and"
            + " any last day")
    public Parameters change(@OperationParam(name = "organisation", min = 1, max = 1) StringType organisation,
            @OperationParam(name = "start", min = 1, max = 1) DateType start,
            @OperationParam(name = "end", max = 1) DateType end, RequestDetails request) {
        String ods = SharingSettingsProvider.odsCode(organisation, "organisation");
        LocalDate starts = day(start).orElseThrow(() -> new InvalidRequestException("start must be a date"
                + " (YYYY-MM-DD): the first day of the organisation's agreement"));
        Optional<LocalDate> ends = day(end);
        if (ends.filter(last -> last.isBefore(starts)).isPresent()) {
            throw new InvalidRequestException("end (" + ends.get() + ") is before start (" + starts + ")");
        }
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideAgreementChange(who, ods);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        AuditEvent event = events.build(new AccessRecord(who.at(), Optional.of(who), "update",
                request.getCompleteUrl(), AuditInterceptor.address(request), AccessRecord.Outcome.SUCCESS, List.of(),
                List.of(), Optional.empty()), List.of(decision));
        AuditEvent.AuditEventEntityComponent change = event.addEntity()
                .setType(new Coding(SharingSettingsProvider.SETTINGS_SYSTEM, "sharing-agreement",
                        "Sharing agreement"))
                .setDescription("sharing agreement of " + ods + ": " + new SharingAgreement(ods, starts, ends, "")
                        .period());
        change.addDetail().setType("organisation").setValue(new StringType(ods));
        change.addDetail().setType("start").setValue(new StringType(starts.toString()));
        ends.ifPresent(last -> change.addDetail().setType("end").setValue(new StringType(last.toString())));
        try {
            trail.append(event, sequence -> store.store(ods, starts, ends, who.at(), who.subject(),
                    "AuditEvent/" + sequence));
        } catch (RuntimeException failed) {
            throw new InternalErrorException("The sharing agreement was not recorded: " + failed.getMessage(),
                    failed);
        }
        request.getUserData().put(AuditInterceptor.RECORDED_BY_OPERATION, Boolean.TRUE);
        return describe(ods, today(who));
    }

    private Parameters describe(String ods, LocalDate today) {
        Optional<SharingAgreementStore.Stored> stored = store.of(ods);
        Parameters answer = new Parameters();
        answer.addParameter().setName("organisation").setValue(new StringType(ods));
        stored.ifPresent(own -> {
            answer.addParameter().setName("start").setValue(new DateType(own.agreement().starts().toString()));
            own.agreement().ends().ifPresent(last ->
                    answer.addParameter().setName("end").setValue(new DateType(last.toString())));
        });
        boolean takesPart = stored.map(own -> own.agreement().inForceOn(today))
                .orElse(!store.agreementRequired());
        answer.addParameter().setName("takesPart").setValue(new BooleanType(takesPart));
        answer.addParameter().setName("source").setValue(new StringType(stored
                .map(own -> "its agreement, " + own.agreement().period())
                .orElse(store.agreementRequired() ? "no agreement on record, and the policy requires one"
                        : "no agreement on record, and the policy requires none")));
        stored.ifPresent(own -> {
            answer.addParameter().setName("changed").setValue(new InstantType(Date.from(own.changed())));
            answer.addParameter().setName("auditEvent").setValue(new Reference(own.agreement().evidence()));
        });
        return answer;
    }

    private static Optional<LocalDate> day(DateType given) {
        if (given == null || given.getValueAsString() == null) {
            return Optional.empty();
        }
        if (given.getPrecision() != TemporalPrecisionEnum.DAY) {
            throw new InvalidRequestException("start and end are whole dates (YYYY-MM-DD), not "
                    + given.getValueAsString());
        }
        return Optional.of(LocalDate.of(given.getYear(), given.getMonth() + 1, given.getDay()));
    }

    private static LocalDate today(AccessContext who) {
        return LocalDate.ofInstant(who.at(), UK);
    }
}
