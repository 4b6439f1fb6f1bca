package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** The examples in {@code fhir-profiles/examples/}, and a validator over the record's profiles with no server. */
public final class ProfileExamples {

    public static final FhirContext FHIR = FhirContext.forR4Cached();
    public static final Path DIRECTORY = Path.of("fhir-profiles", "examples");

    private static ProfileValidator validator;

    private ProfileExamples() {}

    /** Base R4, the record's profiles, in-memory terminology: what the server's chain does without a database. */
    public static synchronized ProfileValidator validator() {
        if (validator == null) {
            RecordProfiles profiles = RecordProfiles.load(FHIR);
            UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(FHIR);
            unknownSystems.setNonExistentCodeSystemSeverity(
                    ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
            ValidationSupportChain chain = new ValidationSupportChain(
                    profiles.validationSupport(FHIR),
                    new DefaultProfileValidationSupport(FHIR),
                    new SnapshotGeneratingValidationSupport(FHIR),
                    new InMemoryTerminologyServerValidationSupport(FHIR),
                    new CommonCodeSystemsTerminologyService(FHIR),
                    unknownSystems);
            chain.setCodeableConceptValidationSuccessfulIfNotAllCodingsAreValid(true);
            validator = new ProfileValidator(FHIR, profiles, chain);
        }
        return validator;
    }

    public static List<String> names(String prefix) {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.map(file -> file.getFileName().toString().replace(".json", ""))
                    .filter(name -> name.contains(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String json(String name) {
        try {
            return Files.readString(DIRECTORY.resolve(name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static IBaseResource resource(String name) {
        return FHIR.newJsonParser().parseResource(json(name));
    }
}
