package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Refuses, with 422 and an OperationOutcome naming each offending path, a write of a Patient, Consent, CarePlan,
 * EpisodeOfCare, referral (ServiceRequest) or referral status (Task) that does not conform to the record's profile
 * (hooks {@code STORAGE_PRESTORAGE_RESOURCE_CREATED} and {@code _UPDATED}, so create, update, patch and every
 * transaction or batch entry are checked, and a refusal rolls a transaction back before anything is stored). These
 * are the resources the sharing policy reads: a Consent the policy cannot read, or a patient without a date of
 * birth, would otherwise be stored and silently not honoured.
 * AuditEvents are written by the server alone; their profile is checked by the tests.
 */
@Interceptor(order = InterceptorOrder.WRITE_VALIDATION)
public final class WriteValidation {

    static final Set<String> VALIDATED_ON_WRITE = Set.of("Patient", "Consent", "CarePlan", "EpisodeOfCare");

    private final FhirContext fhir;
    private final RecordProfiles profiles;
    private final ProfileValidator validator;

    public WriteValidation(FhirContext fhir, RecordProfiles profiles, ProfileValidator validator) {
        this.fhir = fhir;
        this.profiles = profiles;
        this.validator = validator;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void onCreate(IBaseResource resource) {
        check(resource);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void onUpdate(IBaseResource previous, IBaseResource resource) {
        check(resource);
    }

    private void check(IBaseResource resource) {
        if (!VALIDATED_ON_WRITE.contains(resource.fhirType()) && profiles.instanceProfileFor(resource).isEmpty()) {
            return;
        }
        validator.validate(resource).ifPresent(result -> {
            List<SingleValidationMessage> errors = ProfileValidator.errors(result);
            if (!errors.isEmpty()) {
                throw new UnprocessableEntityException(fhir, new ValidationResult(fhir, errors).toOperationOutcome());
            }
        });
    }
}
