package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.interceptor.consent.ConsentOperationStatusEnum;
import ca.uhn.fhir.rest.server.interceptor.consent.ConsentOutcome;
import ca.uhn.fhir.rest.server.interceptor.consent.IConsentContextServices;
import ca.uhn.fhir.rest.server.interceptor.consent.IConsentService;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.Obligation;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.ResourceFacts;
import uk.sharedcare.record.consent.SharingPolicy;
import uk.sharedcare.record.patientstate.PatientStateCache;

/**
 * The enforcement point behind HAPI's {@code ConsentInterceptor}, which calls it for every resource any access
 * path is about to return (read, vread, search and its includes, history, {@code $everything}, paging, batch) and
 * already refuses {@code _summary=count} and {@code _total=accurate} and stops cached searches being shared.
 * Decides in {@code canSeeResource}, before paging, so hidden resources are never counted or returned; carries
 * out obligations in {@code willSeeResource}. Without an access context it refuses: fail closed.
 */
public final class SharedCareConsentService implements IConsentService {

    static final String DECISIONS = SharedCareConsentService.class.getName() + ".decisions";
    private static final String PATIENTS = SharedCareConsentService.class.getName() + ".patients";
    private static final Set<String> DIRECTORY = Set.of("Organization", "Practitioner", "PractitionerRole");
    /** Envelopes of a response, not record data: HAPI passes their entries to this service one by one. */
    private static final Set<String> ENVELOPES = Set.of("Bundle", "OperationOutcome", "Parameters");

    private final SharingPolicy policy;
    private final PatientStateCache patients;
    private final FhirContext fhir;

    SharedCareConsentService(SharingPolicy policy, PatientStateCache patients, FhirContext fhir) {
        this.policy = policy;
        this.patients = patients;
        this.fhir = fhir;
    }

    @Override
    public ConsentOutcome startOperation(RequestDetails request, IConsentContextServices services) {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return refusal("No access context: the request was not authenticated");
        }
        if (OfferedOperations.checksCallerItself(request.getOperation())) {
            return ConsentOutcome.PROCEED; // governance or the pseudonymised extract: each checks the caller itself
        }
        Decision decision = policy.decideRequest(who.get());
        return decision.permits() ? ConsentOutcome.PROCEED : refusal(decision.deciding().explain());
    }

    @Override
    public ConsentOutcome canSeeResource(RequestDetails request, IBaseResource resource,
            IConsentContextServices services) {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return ConsentOutcome.REJECT;
        }
        return decideAndRemember(who.get(), resource, request).permits()
                ? ConsentOutcome.PROCEED : ConsentOutcome.REJECT;
    }

    @Override
    public ConsentOutcome willSeeResource(RequestDetails request, IBaseResource resource,
            IConsentContextServices services) {
        if (ENVELOPES.contains(resource.fhirType())) {
            return ConsentOutcome.PROCEED;
        }
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return ConsentOutcome.REJECT;
        }
        // The same instance was decided in canSeeResource; anything else is decided again rather than let through.
        Decision decision = decisions(request).computeIfAbsent(resource, r -> decide(who.get(), r, request));
        if (!decision.permits()) {
            return ConsentOutcome.REJECT;
        }
        if (!decision.obligations().contains(Obligation.REDACT_CLINICAL_DETAIL)) {
            return ConsentOutcome.PROCEED;
        }
        return ClinicalDetailRedaction.redact(resource)
                .map(redacted -> new ConsentOutcome(ConsentOperationStatusEnum.PROCEED, redacted))
                .orElse(ConsentOutcome.REJECT);
    }

    /** Whether the caller may see the resource, for the plugin's own providers; the decision stays with the request. */
    public boolean mayShow(RequestDetails request, IBaseResource resource) {
        return AccessContexts.of(request).map(who -> decideAndRemember(who, resource, request).permits())
                .orElse(false);
    }

    /** A resource as it would be shown to someone, decided outside any request of theirs (a notification). */
    public record Disclosure(Decision decision, Optional<IBaseResource> shown) {}

    /**
     * What a read by {@code who} would show of the resource now: the same decision, against each patient's current
     * state, and the same redaction. Empty when the read would not show it.
     */
    public Disclosure discloseTo(AccessContext who, IBaseResource resource) {
        Decision decision = decide(who, resource, new SystemRequestDetails());
        if (!decision.permits()) {
            return new Disclosure(decision, Optional.empty());
        }
        if (!decision.obligations().contains(Obligation.REDACT_CLINICAL_DETAIL)) {
            return new Disclosure(decision, Optional.of(resource));
        }
        return new Disclosure(decision, ClinicalDetailRedaction.redact(resource));
    }

    /**
     * Decides, and keeps the decision with the request, so that {@code willSeeResource} and the audit find it for
     * the same instance.
     */
    Decision decideAndRemember(AccessContext who, IBaseResource resource, RequestDetails request) {
        Decision decision = decide(who, resource, request);
        decisions(request).put(resource, decision);
        return decision;
    }

    Decision decide(AccessContext who, IBaseResource resource, RequestDetails request) {
        ResourceFacts facts = ResourceFactsReader.read(resource);
        if (DIRECTORY.contains(resource.fhirType())) {
            return policy.decideDirectoryRead(who, facts);
        }
        List<String> owners = PatientCompartment.patientsOf(fhir, resource);
        if ("AuditEvent".equals(resource.fhirType())) {
            return policy.decideAuditRead(who, owners.stream().map(id -> state(request, id)).toList());
        }
        if (owners.isEmpty()) {
            return policy.decideUnattachedRead(who, facts);
        }
        Decision decision = null;
        for (String patientId : owners) {
            PatientState state = state(request, patientId);
            decision = policy.decideRead(who, state, facts);
            if (!decision.permits()) {
                return decision;
            }
        }
        return decision;
    }

    /**
     * Makes current, for this request, the states of every patient these resources are about that it has not met
     * yet: one query checks them all against their stamps, whatever this node holds. A request keeps the states it
     * started deciding with, so all its answers follow one state of each patient.
     */
    void prepare(RequestDetails request, Collection<? extends IBaseResource> resources) {
        Map<String, PatientState> known = patientStates(request);
        Set<String> needed = new LinkedHashSet<>();
        for (IBaseResource resource : resources) {
            if (resource != null && !DIRECTORY.contains(resource.fhirType())
                    && !ENVELOPES.contains(resource.fhirType())) {
                PatientCompartment.patientsOf(fhir, resource).stream()
                        .filter(id -> !known.containsKey(id)).forEach(needed::add);
            }
        }
        if (!needed.isEmpty()) {
            patients.current(needed).forEach(known::putIfAbsent);
        }
    }

    private PatientState state(RequestDetails request, String patientId) {
        Map<String, PatientState> known = patientStates(request);
        PatientState state = known.get(patientId);
        if (state != null) {
            return state;
        }
        known.putIfAbsent(patientId, patients.current(List.of(patientId)).get(patientId));
        return known.get(patientId);
    }

    /** A patient's state as this request already loaded it, so later steps (alerts) need not load it again. */
    public static Optional<PatientState> loadedState(RequestDetails request, String patientId) {
        return Optional.ofNullable(patientStates(request).get(patientId));
    }

    /** A resource this request was refused, and the decision that refused it. */
    public record Refusal(IBaseResource resource, Decision decision) {}

    /** The refusal this request met for the resource with this id ({@code Type/id}), if one was decided. */
    public static Optional<Refusal> refusalAbout(RequestDetails request, String reference) {
        synchronized (decisions(request)) {
            return decisions(request).entrySet().stream()
                    .filter(e -> !e.getValue().permits())
                    .filter(e -> reference.equals(e.getKey().getIdElement().toUnqualifiedVersionless().getValue()))
                    .map(e -> new Refusal(e.getKey(), e.getValue()))
                    .findFirst();
        }
    }

    /**
     * The request's decision log, read by the audit: what was decided about each resource it is about to show
     * ({@code Type/id}), so that a disclosure is recorded with the rules that permitted it.
     */
    public static List<Decision> decisionsAbout(RequestDetails request, Collection<String> shown) {
        synchronized (decisions(request)) {
            return decisions(request).entrySet().stream()
                    .filter(e -> shown.contains(e.getKey().fhirType() + "/" + e.getKey().getIdElement().getIdPart()))
                    .map(Map.Entry::getValue)
                    .toList();
        }
    }

    /** This request's decisions, by resource instance, as HAPI's own consent interceptor keeps them. */
    @SuppressWarnings("unchecked")
    static Map<IBaseResource, Decision> decisions(RequestDetails request) {
        return (Map<IBaseResource, Decision>) request.getUserData().computeIfAbsent(DECISIONS,
                k -> Collections.synchronizedMap(new IdentityHashMap<IBaseResource, Decision>()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, PatientState> patientStates(RequestDetails request) {
        return (Map<String, PatientState>) request.getUserData().computeIfAbsent(PATIENTS,
                k -> new ConcurrentHashMap<String, PatientState>());
    }

    private static ConsentOutcome refusal(String why) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.FORBIDDEN).setDiagnostics(why);
        return new ConsentOutcome(ConsentOperationStatusEnum.REJECT, outcome);
    }
}
