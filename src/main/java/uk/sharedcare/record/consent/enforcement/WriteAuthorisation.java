package uk.sharedcare.record.consent.enforcement;

import uk.sharedcare.record.access.SmartScopes.Permission;
import java.util.List;
import java.util.LinkedHashSet;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus;
import org.hl7.fhir.r4.model.Subscription;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.PolicyRule;
import uk.sharedcare.record.consent.Reason;
import uk.sharedcare.record.consent.SubscriptionPolicy;
import uk.sharedcare.record.consent.WritePolicy;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Rule 9 on every write through the API, each transaction entry included (hooks {@code STORAGE_PRESTORAGE_*}):
 * an organisation changes or deletes only what it recorded, and only the registered practice, a DPO or the
 * practice's own system records a patient's consent, and an active EpisodeOfCare gives no organisation a
 * relationship it does not already have (care starts with {@code Patient/$start-care}). A refusal rolls the whole
 * transaction back. A
 * Subscription is accepted only if a {@code SubscriptionPolicy} offers it (a practice's own access alerts, or an
 * organisation's system's change notifications, which the record decides at delivery): HAPI's delivery does not
 * pass through the sharing policy. Conformance resources
 * (search parameters, profiles, value sets, code systems) are written by admins only, and AuditEvents by the
 * server alone.
 */
@Interceptor(order = InterceptorOrder.WRITE_AUTHORISATION)
final class WriteAuthorisation {

    private static final Set<String> CONFORMANCE =
            Set.of("SearchParameter", "StructureDefinition", "ValueSet", "CodeSystem");

    private final WritePolicy policy;
    private final PatientStateLoader patients;
    private final SubscriptionPolicy subscriptions;
    private final FhirContext fhir;

    WriteAuthorisation(WritePolicy policy, PatientStateLoader patients, SubscriptionPolicy subscriptions,
            FhirContext fhir) {
        this.policy = policy;
        this.patients = patients;
        this.subscriptions = subscriptions;
        this.fhir = fhir;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void onCreate(IBaseResource resource, RequestDetails request) {
        authorise(Permission.CREATE, resource, patientsOf(resource), Optional.empty(), request);
        if (resource instanceof EpisodeOfCare episode && episode.getStatus() == EpisodeOfCareStatus.ACTIVE) {
            authoriseRelationship(patientsOf(resource), request);
        }
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void onUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        Set<String> about = new LinkedHashSet<>(patientsOf(previous));
        about.addAll(patientsOf(resource));
        authorise(Permission.UPDATE, resource, List.copyOf(about), Custodian.of(previous), request);
        if (resource instanceof EpisodeOfCare episode && episode.getStatus() == EpisodeOfCareStatus.ACTIVE) {
            boolean wasActive = previous instanceof EpisodeOfCare before
                    && before.getStatus() == EpisodeOfCareStatus.ACTIVE;
            Set<String> gained = new LinkedHashSet<>(patientsOf(resource));
            if (wasActive) {
                gained.removeAll(patientsOf(previous));
            }
            authoriseRelationship(List.copyOf(gained), request);
        }
    }

    /**
     * Rule 1: an active episode of care, created, moved to another patient or made active again, must not give its
     * writer a relationship it does not have. Checked before HAPI resolves the episode's references, so a patient
     * the record does not know is refused in the same words as one the writer has no relationship with.
     */
    private void authoriseRelationship(List<String> patientsGained, RequestDetails request) {
        AccessContext caller = AccessContexts.require(request);
        if (caller.isPatient()) {
            return; // refused already: a patient writes only their own Consent
        }
        for (String patient : patientsGained) {
            Decision decision = policy.decideEpisodeOfCare(caller, patients.load(patient),
                    StartOfCareChecks.wasChecked(request, patient));
            if (!decision.permits()) {
                throw Refusals.forbidden(decision);
            }
        }
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
    public void onDelete(IBaseResource resource, RequestDetails request) {
        authorise(Permission.DELETE, resource, patientsOf(resource), Custodian.of(resource), request);
    }

    /** A patient's own Consent names them, and only them, as who gave it. */
    private static boolean performedByThePatient(IBaseResource resource) {
        if (!(resource instanceof Consent consent) || consent.getPerformer().size() != 1
                || !consent.getPatient().hasReference()) {
            return false;
        }
        String performer = consent.getPerformer().get(0).getReferenceElement().toUnqualifiedVersionless().getValue();
        return performer != null
                && performer.equals(consent.getPatient().getReferenceElement().toUnqualifiedVersionless().getValue());
    }

    private List<String> patientsOf(IBaseResource resource) {
        return PatientCompartment.patientsOf(fhir, resource);
    }

    private void authorise(Permission kind, IBaseResource resource, List<String> about,
            Optional<String> currentCustodian, RequestDetails request) {
        AccessContext caller = AccessContexts.require(request);
        if (CONFORMANCE.contains(resource.fhirType()) && !caller.hasRole(Role.ADMIN)) {
            throw Refusals.forbidden(Reason.of(PolicyRule.EXPOSURE_GUARD,
                    resource.fhirType() + " changes how the server validates and searches; only an admin writes it"));
        }
        if ("AuditEvent".equals(resource.fhirType())) {
            throw Refusals.forbidden(Reason.of(PolicyRule.EXPOSURE_GUARD,
                    "the audit trail is written by the server alone; AuditEvents cannot be written through the API"));
        }
        if ("Subscription".equals(resource.fhirType())
                && !subscriptions.accepts(caller, (Subscription) resource)) {
            // HAPI delivers what a subscription matches without asking the sharing policy.
            throw Refusals.forbidden(Reason.of(PolicyRule.EXPOSURE_GUARD, "subscriptions would send data around"
                    + " these rules; " + subscriptions.offered(caller)));
        }
        if (caller.isPatient()) {
            Decision decision = policy.decidePatientWrite(caller, kind, resource.fhirType(),
                    about.stream().map(patients::load).toList());
            if (!decision.permits() || !performedByThePatient(resource)) {
                throw Refusals.forbidden(decision.permits() ? Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                        "a patient's own choice names the patient as its performer") : decision.deciding());
            }
            return;
        }
        Optional<String> practice = resource instanceof Consent consent && consent.getPatient().hasReference()
                ? patients.load(consent.getPatient().getReferenceElement().toUnqualifiedVersionless().getValue())
                        .registeredPractice()
                : Optional.empty();
        Decision decision = policy.decideWrite(caller, kind, resource.fhirType(), about, currentCustodian,
                practice);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
    }
}
