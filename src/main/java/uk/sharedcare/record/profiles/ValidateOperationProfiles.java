package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Makes {@code $validate} answer what a write would: HAPI's operation checks a resource against base R4 and the
 * profiles it declares, and this hook ({@code VALIDATION_COMPLETED}) adds what the record's own profile for that
 * type finds, so a client can check a Patient, Consent, CarePlan or EpisodeOfCare before sending it.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class ValidateOperationProfiles {

    private final ProfileValidator validator;

    public ValidateOperationProfiles(ProfileValidator validator) {
        this.validator = validator;
    }

    @Hook(Pointcut.VALIDATION_COMPLETED)
    public ValidationResult addRecordProfile(IBaseResource resource, String rawResource, ValidationResult result) {
        Optional<ValidationResult> against = parsed(resource, rawResource, result.getContext())
                .flatMap(validator::validate);
        if (against.isEmpty()) {
            return result;
        }
        List<SingleValidationMessage> merged = new ArrayList<>(result.getMessages());
        against.get().getMessages().stream()
                .filter(message -> merged.stream().noneMatch(existing -> sameIssue(existing, message)))
                .forEach(merged::add);
        return new ValidationResult(result.getContext(), merged);
    }

    /** HAPI's $validate hands over the request body as text; one that does not parse is already an error. */
    private static Optional<IBaseResource> parsed(IBaseResource resource, String raw, FhirContext fhir) {
        if (resource != null) {
            return Optional.of(resource);
        }
        EncodingEnum encoding = raw == null ? null : EncodingEnum.detectEncodingNoDefault(raw);
        if (encoding == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(encoding.newParser(fhir).parseResource(raw));
        } catch (DataFormatException unparseable) {
            return Optional.empty();
        }
    }

    private static boolean sameIssue(SingleValidationMessage a, SingleValidationMessage b) {
        return a.getSeverity() == b.getSeverity()
                && Objects.equals(a.getLocationString(), b.getLocationString())
                && Objects.equals(a.getMessage(), b.getMessage());
    }
}
