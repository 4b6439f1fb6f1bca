package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.audit.AccessRecord.Outcome;
import uk.sharedcare.record.audit.AccessRecord.Refusal;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.Obligation;
import uk.sharedcare.record.consent.Reason;
import uk.sharedcare.record.consent.enforcement.PatientCompartment;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService;
import uk.sharedcare.record.hooks.InterceptorOrder;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * Puts every authenticated FHIR request on the record. On success (hook {@code SERVER_OUTGOING_RESPONSE}, after
 * HAPI's consent interceptor has removed what the caller may not see and before anything is written to the client)
 * the AuditEvent lists exactly the resources in the response; if it cannot be stored the client gets 503 and no
 * data. With it, in the same transaction, any alert the patient's GP practice is owed. Refusals and failures
 * (hook {@code SERVER_HANDLE_EXCEPTION}) are recorded with their reason.
 */
@Interceptor(order = InterceptorOrder.AUDIT)
public final class AuditInterceptor {

    /**
     * Request user data set by an operation that put its own, more telling, AuditEvent on the trail before
     * answering (an extract file download): the generic record would only repeat it.
     */
    public static final String RECORDED_BY_OPERATION = AuditInterceptor.class.getName() + ".recordedByOperation";
    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);

    private final AuditTrail trail;
    private final AuditSpill spill;
    private final AuditEventFactory events;
    private final FhirContext fhir;
    private final AccessAlerts alerts;
    private final OperationOutcomeWriter outcomes;
    private final Predicate<String> storedTypes;

    /** @param storedTypes the resource types the record stores: an event may reference only what is stored */
    AuditInterceptor(AuditTrail trail, AuditSpill spill, AuditEventFactory events, FhirContext fhir,
            AccessAlerts alerts, Predicate<String> storedTypes) {
        this.trail = trail;
        this.spill = spill;
        this.events = events;
        this.fhir = fhir;
        this.alerts = alerts;
        this.outcomes = new OperationOutcomeWriter(fhir);
        this.storedTypes = storedTypes;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void disclosed(RequestDetails request, ResponseDetails response) {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return; // public discovery: no record data
        }
        if (request.getUserData().containsKey(RECORDED_BY_OPERATION)) {
            return;
        }
        List<IBaseResource> shown = contents(response.getResponseResource()).stream()
                .filter(resource -> storedTypes.test(resource.fhirType()))
                .toList();
        Set<String> patients = new LinkedHashSet<>();
        shown.forEach(resource -> patients.addAll(PatientCompartment.patientsOf(fhir, resource)));
        AccessRecord access = new AccessRecord(who.get().at(), who, interaction(request), url(request),
                address(request), Outcome.SUCCESS, shown.stream().map(AuditInterceptor::reference).toList(),
                List.copyOf(patients), Optional.empty());
        List<Decision> permits = SharedCareConsentService.decisionsAbout(request, access.disclosed());
        boolean breakGlassToReview = permits.stream()
                .anyMatch(d -> d.permits() && d.obligations().contains(Obligation.REVIEW_BREAK_GLASS));
        LongConsumer alertsOwed = patientsOwnChoice(who.get(), response.getResponseResource())
                .orElseGet(() -> alerts.owed(who.get(), access.patients(),
                        patientId -> SharedCareConsentService.loadedState(request, patientId), breakGlassToReview));
        try {
            trail.append(events.build(access, permits), alertsOwed);
        } catch (RuntimeException failure) {
            log.error("Could not record the access; refusing to answer {} and keeping it", url(request), failure);
            spill.keep(events.build(access.unrecorded()));
            throw new AuditUnavailableException();
        }
    }

    /** A patient who has just recorded their own sharing choice: their practice is told. */
    private Optional<LongConsumer> patientsOwnChoice(AccessContext who, IBaseResource answered) {
        if (!who.isPatient() || !(answered instanceof Consent consent) || !consent.getPatient().hasReference()) {
            return Optional.empty();
        }
        String choice = consent.getProvision().getType() == Consent.ConsentProvisionType.DENY
                ? "opted out of sharing in the local scheme"
                : "chose to share their record in the local scheme, withdrawing any earlier opt-out";
        return Optional.of(alerts.patientChoice(who,
                consent.getPatient().getReferenceElement().toUnqualifiedVersionless().getValue(),
                reference(consent), choice));
    }

    /**
     * A refusal or failure is answered only once it is on the record; if it cannot be, the answer is 503 instead
     * (written here, so HAPI writes nothing more) and the access is kept in the spill.
     */
    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean refused(RequestDetails request, BaseServerResponseException exception,
            HttpServletResponse servletResponse) throws IOException {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty() || exception instanceof AuditUnavailableException) {
            return true;
        }
        Outcome outcome = exception.getStatusCode() < 500 ? Outcome.REFUSED : Outcome.FAILED;
        Optional<SharedCareConsentService.Refusal> hidden = requested(request)
                .flatMap(id -> SharedCareConsentService.refusalAbout(request, id));
        List<String> patients = hidden.map(h -> PatientCompartment.patientsOf(fhir, h.resource()))
                .orElse(List.of());
        AccessRecord access = new AccessRecord(who.get().at(), who, interaction(request), url(request),
                address(request), outcome, List.of(), patients, Optional.of(refusal(request, exception, hidden)));
        try {
            trail.append(events.build(access));
            return true;
        } catch (RuntimeException failure) {
            log.error("Could not record a refused request to {}; answering 503 and keeping it", url(request), failure);
            spill.keep(events.build(access.unrecorded()));
            outcomes.writeUnrecorded(servletResponse);
            return false;
        }
    }


    /**
     * A resource hidden by the policy is recorded with the rule that hid it and its evidence (the deciding consent,
     * else the resource itself); any other failure with its status and message. A missing resource is not
     * referenced: the trail may only point at what exists.
     */
    private static Refusal refusal(RequestDetails request, BaseServerResponseException exception,
            Optional<SharedCareConsentService.Refusal> hidden) {
        if (hidden.isPresent()) {
            Reason deciding = hidden.get().decision().deciding();
            return new Refusal(deciding.rule().name(), deciding.explain(),
                    deciding.evidence().isPresent() ? deciding.evidence() : requested(request));
        }
        return new Refusal("HTTP " + exception.getStatusCode(), exception.getMessage(), Optional.empty());
    }

    private static Optional<String> requested(RequestDetails request) {
        return request.getId() != null && request.getId().hasIdPart()
                ? Optional.of(request.getId().toUnqualifiedVersionless().getValue()) : Optional.empty();
    }

    private static List<IBaseResource> contents(IBaseResource response) {
        List<IBaseResource> shown = new ArrayList<>();
        if (response instanceof Bundle bundle) {
            bundle.getEntry().stream()
                    .map(Bundle.BundleEntryComponent::getResource)
                    .filter(r -> r != null && !"OperationOutcome".equals(r.fhirType()))
                    .forEach(r -> shown.addAll(contents(r)));
        } else if (response != null && !"OperationOutcome".equals(response.fhirType())
                && !"Parameters".equals(response.fhirType()) && response.getIdElement().hasIdPart()) {
            shown.add(response);
        }
        return shown;
    }

    private static String reference(IBaseResource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }

    private static String interaction(RequestDetails request) {
        RestOperationTypeEnum type = request.getRestOperationType();
        if (type == null) {
            return "operation";
        }
        return switch (type) {
            case READ, VREAD, CREATE, UPDATE, PATCH, DELETE, TRANSACTION, SEARCH_TYPE, SEARCH_SYSTEM,
                    HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM -> type.getCode();
            case GET_PAGE -> "search-type";
            case METADATA -> "capabilities";
            default -> "operation";
        };
    }

    private static String url(RequestDetails request) {
        return request.getCompleteUrl() == null ? request.getRequestPath() : request.getCompleteUrl();
    }

    /** The caller's network address, as an AuditEvent's source names it. */
    public static Optional<String> address(RequestDetails request) {
        return request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
                ? Optional.ofNullable(servlet.getServletRequest().getRemoteAddr())
                : Optional.empty();
    }

    /** 503: the server will not answer what it cannot record. */
    public static final class AuditUnavailableException extends BaseServerResponseException {
        public AuditUnavailableException() {
            super(503, OperationOutcomeWriter.UNRECORDED);
        }
    }
}
