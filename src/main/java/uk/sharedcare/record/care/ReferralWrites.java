package uk.sharedcare.record.care;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import uk.sharedcare.record.StoredResources;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.WritePolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.consent.enforcement.Refusals;
import uk.sharedcare.record.hooks.InterceptorOrder;
import uk.sharedcare.record.referral.Referrals;

/**
 * Rule 12 on every write of a referral or its status through the API (hooks {@code STORAGE_PRESTORAGE_*}, each
 * transaction entry included), after rule 9 and before the profiles: records on the resource which organisations the
 * referral is between, from what the server itself checks, never from what the client says.
 * <ul>
 *   <li>A referral (ServiceRequest, category Patient referral) is made by an organisation with a relationship with
 *   the patient, to other organisations named in {@code performer}; those it is addressed to cannot change later
 *   (revoke it and refer again).
 *   <li>A Task whose focus is a referral is that referral's status, written only by an organisation it is addressed
 *   to, for the referral's patient. Any other Task is no part of a referral.
 * </ul>
 * Writes without an access context are the server's own (demo data) and keep the parties they were given.
 */
@Interceptor(order = InterceptorOrder.REFERRALS)
public final class ReferralWrites {

    private final WritePolicy policy;
    private final PatientStateLoader patients;
    private final DaoRegistry daos;
    private final FhirContext fhir;

    public ReferralWrites(WritePolicy policy, PatientStateLoader patients, DaoRegistry daos, FhirContext fhir) {
        this.policy = policy;
        this.patients = patients;
        this.daos = daos;
        this.fhir = fhir;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void onCreate(IBaseResource resource, RequestDetails request) {
        record(Optional.empty(), resource, request);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void onUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        record(Optional.ofNullable(previous), resource, request);
    }

    private void record(Optional<IBaseResource> previous, IBaseResource resource, RequestDetails request) {
        Optional<AccessContext> caller = AccessContexts.of(request);
        if (caller.isEmpty() || caller.get().isPatient()) {
            return; // the server's own write; a patient's is refused already (they write only their own Consent)
        }
        if (resource instanceof ServiceRequest referral) {
            referral(previous, referral, caller.get());
        } else if (resource instanceof Task status) {
            status(status, caller.get());
        }
    }

    private void referral(Optional<IBaseResource> previous, ServiceRequest referral, AccessContext who) {
        boolean wasReferral = previous.filter(Referrals::isReferral).isPresent();
        if (!Referrals.isReferral(referral)) {
            if (wasReferral) {
                throw unprocessable("ServiceRequest.category", recipientsFixed());
            }
            Referrals.recordParties(referral, Set.of());
            return;
        }
        IIdType subject = referral.getSubject().getReferenceElement();
        if (!"Patient".equals(subject.getResourceType()) || !subject.hasIdPart()) {
            throw unprocessable("ServiceRequest.subject", "A referral's subject is the Patient it refers");
        }
        Decision decision = policy.decideReferral(who,
                patients.load(subject.toUnqualifiedVersionless().getValue()));
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        Set<String> recipients = recipients(referral, who.organisation());
        if (wasReferral && !Referrals.recipientsOf(previous.get()).equals(recipients)) {
            throw unprocessable("ServiceRequest.performer", recipientsFixed());
        }
        Set<String> parties = new TreeSet<>(recipients);
        parties.add(who.organisation());
        Referrals.recordParties(referral, parties);
    }

    /** The ODS codes of the organisations the referral names as performers, each another than the referrer. */
    private Set<String> recipients(ServiceRequest referral, String referrer) {
        Set<String> recipients = new TreeSet<>();
        for (int i = 0; i < referral.getPerformer().size(); i++) {
            Reference performer = referral.getPerformer().get(i);
            Optional<String> code = patients.organisationCode(performer).filter(ods -> !ods.equals(referrer));
            if (code.isEmpty()) {
                throw unprocessable("ServiceRequest.performer[" + i + "]", "A referral is addressed to organisations"
                        + " other than the one making it, each by its ODS code or as a stored Organization with one");
            }
            recipients.add(code.get());
        }
        if (recipients.isEmpty()) {
            throw unprocessable("ServiceRequest.performer", "A referral names the organisations it refers the"
                    + " patient to in performer");
        }
        return recipients;
    }

    private void status(Task status, AccessContext who) {
        Optional<ServiceRequest> referral = focus(status).filter(focus -> !Referrals.partiesOf(focus).isEmpty());
        if (referral.isEmpty()) {
            Referrals.recordParties(status, Set.of());
            return;
        }
        Decision decision = policy.decideReferralStatus(who, Referrals.recipientsOf(referral.get()));
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        String patient = referral.get().getSubject().getReferenceElement().toUnqualifiedVersionless().getValue();
        if (!patient.equals(status.getFor().getReferenceElement().toUnqualifiedVersionless().getValue())) {
            throw unprocessable("Task.for", "A referral's status is for the patient referred, " + patient);
        }
        Referrals.recordParties(status, Referrals.partiesOf(referral.get()));
    }

    /** The ServiceRequest the Task is about, as stored now. */
    private Optional<ServiceRequest> focus(Task status) {
        IIdType focus = status.getFocus().getReferenceElement();
        if (!"ServiceRequest".equals(focus.getResourceType()) || !focus.hasIdPart()) {
            return Optional.empty();
        }
        return StoredResources.read(daos, ServiceRequest.class, focus.toUnqualifiedVersionless());
    }

    private static String recipientsFixed() {
        return "The organisations a referral is addressed to do not change once it is made; revoke it and refer again";
    }

    private UnprocessableEntityException unprocessable(String path, String why) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.BUSINESSRULE).setDiagnostics(why)
                .addExpression(path);
        return new UnprocessableEntityException(fhir, outcome);
    }
}
