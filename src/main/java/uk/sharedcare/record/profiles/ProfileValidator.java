package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Validates a resource against the record's profile for its type (and so against base R4 too) with HAPI's instance
 * validator. Resources of a type the record has no profile for are not this class's business.
 */
public final class ProfileValidator {

    private final FhirContext fhir;
    private final RecordProfiles profiles;
    private final FhirValidator validator;

    /** @param validationSupport a chain that knows base R4 and the record's profiles (see {@link ProfilesConfig}) */
    public ProfileValidator(FhirContext fhir, RecordProfiles profiles, IValidationSupport validationSupport) {
        this.fhir = fhir;
        this.profiles = profiles;
        FhirInstanceValidator instanceValidator = new FhirInstanceValidator(validationSupport);
        // Extensions we do not profile are still checked for well-formedness, not refused for being unknown.
        instanceValidator.setAnyExtensionsAllowed(true);
        // Reads a literal reference's type ("Organization/x") so a profile's target types are enforced.
        instanceValidator.setAssumeValidRestReferences(true);
        this.validator = fhir.newValidator().registerValidatorModule(instanceValidator);
    }

    /**
     * The result of validating against the record's profile for this resource (its type's, or its kind's, such as a
     * referral's), or nothing if it has none.
     */
    public Optional<ValidationResult> validate(IBaseResource resource) {
        return profiles.profileFor(resource)
                .map(profile -> validator.validateWithResult(resource, new ValidationOptions().addProfile(profile)));
    }

    /**
     * Validates an empty resource of each profiled type once, so the validator loads its definitions and builds
     * the profiles' snapshots now, not inside a client's first write (several seconds on a busy two-core machine).
     */
    public void warmUp() {
        profiles.profiles().keySet().forEach(type -> validate(fhir.getResourceDefinition(type).newInstance()));
        profiles.instanceProfiles().forEach((type, profile) -> validator.validateWithResult(
                fhir.getResourceDefinition(type).newInstance(), new ValidationOptions().addProfile(profile)));
    }

    /** Errors and fatal issues: what makes a write unacceptable. Warnings and information do not. */
    public static List<SingleValidationMessage> errors(ValidationResult result) {
        return result.getMessages().stream()
                .filter(message -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .toList();
    }
}
