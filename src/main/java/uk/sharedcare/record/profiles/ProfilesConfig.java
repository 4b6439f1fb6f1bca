package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import uk.sharedcare.record.ConditionalOnSharedCare;

/**
 * The record's profiles ({@code fhir-profiles/}): added to the host's validation support chain so that HAPI's
 * {@code $validate} and any profile lookup know them, checked on every write of a profiled clinical type, and listed
 * in the CapabilityStatement. A required binding on a CodeableConcept is met when one coding is in the value set, as
 * R4 defines it, so a coding the record's value set lists may travel with a SNOMED CT coding no one here can check.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class ProfilesConfig {

    private static final Logger log = LoggerFactory.getLogger(ProfilesConfig.class);

    @Bean
    RecordProfiles recordProfiles(FhirContext fhir) {
        return RecordProfiles.load(fhir);
    }

    @Bean
    ProfileValidator profileValidator(FhirContext fhir, RecordProfiles profiles, IValidationSupport hostSupport) {
        ValidationSupportChain withProfiles = hostSupport instanceof ValidationSupportChain chain ? chain
                : new ValidationSupportChain(hostSupport);
        withProfiles.addValidationSupport(0, profiles.validationSupport(fhir));
        withProfiles.setCodeableConceptValidationSuccessfulIfNotAllCodingsAreValid(true);
        return new ProfileValidator(fhir, profiles, withProfiles);
    }

    /** Before the server takes requests: the first write should not wait for the validator to load. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> profileValidatorWarmUp(ProfileValidator validator) {
        return ready -> {
            long started = System.nanoTime();
            validator.warmUp();
            log.info("Profile validator ready in {} ms", (System.nanoTime() - started) / 1_000_000);
        };
    }

    /** What the profiles add to the RestfulServer. */
    @Bean
    ProfileEnforcement profileEnforcement(FhirContext fhir, RecordProfiles profiles, ProfileValidator validator) {
        return new ProfileEnforcement(List.of(new WriteValidation(fhir, profiles, validator),
                new ValidateOperationProfiles(validator), new ProfileCapabilities(profiles)));
    }

    public record ProfileEnforcement(List<Object> interceptors) {
        public ProfileEnforcement {
            interceptors = List.copyOf(interceptors);
        }
    }
}
