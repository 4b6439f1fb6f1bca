package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * What practices and data protection officers do with access alerts:
 * <ul>
 *   <li>{@code [base]/$access-digest?date=YYYY-MM-DD}, for a practice (GP or its system client): the day's
 *       new-accessor alerts and every break-glass alert still awaiting review, for the caller's own practice;</li>
 *   <li>{@code [base]/$review-break-glass} with {@code alert} and {@code note}, for data protection officers:
 *       marks a break-glass alert reviewed, with who reviewed it, when and what they found;</li>
 *   <li>{@code [base]/$break-glass-queue}, for data protection officers and admins: every break-glass alert of
 *       every practice still awaiting review, oldest first, with when, who and why.</li>
 * </ul>
 * A practice's digest also names the choices its patients recorded for themselves that day.
 */
public final class AlertOperationsProvider {

    static final String REVIEWED = "reviewed";
    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final IFhirResourceDao<Communication> alerts;

    public AlertOperationsProvider(IFhirResourceDao<Communication> alerts) {
        this.alerts = alerts;
    }

    @Operation(name = "$access-digest", idempotent = true)
    public Parameters digest(@OperationParam(name = "date") DateType date, RequestDetails request) {
        AccessContext caller = AccessContexts.of(request).orElseThrow();
        if (!caller.hasRole(Role.GP) && !caller.hasRole(Role.SYSTEM)) {
            Refusals.requireGovernanceRole(request, "$access-digest");
        }
        LocalDate day = date == null ? LocalDate.now(UK) : LocalDate.ofInstant(date.getValue().toInstant(), UK);
        Parameters digest = new Parameters();
        digest.addParameter().setName("practice").setValue(new StringType(caller.organisation()));
        digest.addParameter().setName("date").setValue(new DateType(Date.from(day.atStartOfDay(UK).toInstant())));
        for (Communication alert : alertsFor(caller.organisation())) {
            String kind = alert.getCategoryFirstRep().getCodingFirstRep().getCode();
            boolean sentThatDay = LocalDate.ofInstant(alert.getSent().toInstant(), UK).equals(day);
            if (AccessAlerts.NEW_ACCESSOR.equals(kind) && sentThatDay) {
                digest.addParameter().setName("newAccessor").setValue(reference(alert));
            } else if (AccessAlerts.BREAK_GLASS.equals(kind) && !isReviewed(alert)) {
                digest.addParameter().setName("breakGlassAwaitingReview").setValue(reference(alert));
            } else if (AccessAlerts.PATIENT_CHOICE.equals(kind) && sentThatDay) {
                digest.addParameter().setName("patientChoice").setValue(reference(alert));
            }
        }
        return digest;
    }

    @Operation(name = "$review-break-glass")
    public Parameters review(@OperationParam(name = "alert", min = 1) Reference alertReference,
            @OperationParam(name = "note", min = 1) StringType note, RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$review-break-glass");
        AccessContext reviewer = AccessContexts.of(request).orElseThrow();
        if (!reviewer.hasRole(Role.DPO)) {
            throw new InvalidRequestException("Break-glass access is reviewed by a data protection officer");
        }
        Communication alert;
        try {
            alert = alerts.read(new IdType(alertReference.getReference()), new SystemRequestDetails());
        } catch (ResourceNotFoundException e) {
            throw new ResourceNotFoundException("Alert " + alertReference.getReference() + " is not known");
        }
        if (!AccessAlerts.BREAK_GLASS.equals(alert.getCategoryFirstRep().getCodingFirstRep().getCode())) {
            throw new InvalidRequestException(alertReference.getReference() + " is not a break-glass alert");
        }
        alert.getMeta().addTag(AccessAlerts.ALERT_SYSTEM, REVIEWED, "Reviewed by a data protection officer");
        alert.addNote(new Annotation().setText(note.getValue()).setTime(Date.from(Instant.now()))
                .setAuthor(new StringType(reviewer.subject() + " (" + reviewer.organisation() + ")")));
        alerts.update(alert, new SystemRequestDetails());
        Parameters result = new Parameters();
        result.addParameter().setName("reviewed").setValue(new Reference(alertReference.getReference()));
        return result;
    }

    @Operation(name = "$break-glass-queue", idempotent = true)
    public Parameters breakGlassQueue(RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$break-glass-queue");
        List<Communication> waiting = alerts.search(SearchParameterMap.newSynchronous("category",
                        new TokenParam(AccessAlerts.ALERT_SYSTEM, AccessAlerts.BREAK_GLASS)), new SystemRequestDetails())
                .getAllResources().stream().map(Communication.class::cast)
                .filter(alert -> !isReviewed(alert))
                .sorted(Comparator.comparing(Communication::getSent))
                .toList();
        Parameters queue = new Parameters();
        for (Communication alert : waiting) {
            ParametersParameterComponent entry = queue.addParameter().setName("awaitingReview");
            entry.addPart().setName("alert").setValue(reference(alert));
            entry.addPart().setName("patient").setValue(alert.getSubject().copy());
            entry.addPart().setName("practice").setValue(new StringType(
                    alert.getRecipientFirstRep().getIdentifier().getValue()));
            entry.addPart().setName("organisation").setValue(new StringType(
                    alert.getSender().getIdentifier().getValue()));
            entry.addPart().setName("when").setValue(new DateTimeType(alert.getSent()));
            entry.addPart().setName("what").setValue(new StringType(
                    alert.getPayloadFirstRep().getContentStringType().getValue()));
            alert.getAbout().stream().findFirst()
                    .ifPresent(event -> entry.addPart().setName("auditEvent").setValue(event.copy()));
        }
        return queue;
    }

    private List<Communication> alertsFor(String practice) {
        return alerts.search(SearchParameterMap.newSynchronous("_tag", new TokenParam(Custodian.TAG_SYSTEM, practice))
                        .add("category", new TokenParam(AccessAlerts.ALERT_SYSTEM, null)), new SystemRequestDetails())
                .getAllResources().stream().map(Communication.class::cast).toList();
    }

    static boolean isReviewed(Communication alert) {
        return alert.getMeta().getTag().stream()
                .anyMatch(t -> AccessAlerts.ALERT_SYSTEM.equals(t.getSystem()) && REVIEWED.equals(t.getCode()));
    }

    private static Reference reference(Communication alert) {
        return new Reference(alert.getIdElement().toUnqualifiedVersionless().getValue())
                .setDisplay(alert.getPayloadFirstRep().getContentStringType().getValue());
    }
}
