package uk.sharedcare.record.profiles;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.StructureDefinition.TypeDerivationRule;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The record's conformance resources from {@code fhir-profiles/} (packaged on the classpath under the same name):
 * the profiles that define its Patient, Consent, CarePlan, EpisodeOfCare and AuditEvent, and the code systems and
 * value sets its policy uses. Read once at start; a file that does not parse stops the server.
 */
public final class RecordProfiles {

    static final String LOCATION = "classpath*:fhir-profiles/*.json";

    private final List<MetadataResource> resources;
    private final Map<String, String> profileByType;

    RecordProfiles(List<MetadataResource> resources) {
        this.resources = List.copyOf(resources);
        Map<String, String> byType = new TreeMap<>();
        resources.stream()
                .filter(StructureDefinition.class::isInstance)
                .map(StructureDefinition.class::cast)
                .filter(definition -> definition.getDerivation() == TypeDerivationRule.CONSTRAINT)
                .forEach(profile -> {
                    String previous = byType.put(profile.getType(), profile.getUrl());
                    if (previous != null) {
                        throw new IllegalStateException("Two record profiles for " + profile.getType() + ": "
                                + previous + " and " + profile.getUrl());
                    }
                });
        this.profileByType = Map.copyOf(byType);
    }

    public static RecordProfiles load(FhirContext fhir) {
        List<MetadataResource> loaded = new ArrayList<>();
        try {
            for (Resource file : new PathMatchingResourcePatternResolver().getResources(LOCATION)) {
                try (InputStream in = file.getInputStream()) {
                    loaded.add((MetadataResource) fhir.newJsonParser().parseResource(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the record's profiles from " + LOCATION, e);
        }
        if (loaded.isEmpty()) {
            throw new IllegalStateException("No record profiles found at " + LOCATION);
        }
        return new RecordProfiles(loaded);
    }

    /** The canonical URL of the record's profile for a resource type, if it has one. */
    public Optional<String> profileFor(String resourceType) {
        return Optional.ofNullable(profileByType.get(resourceType));
    }

    /** Resource type to profile canonical, in type order. */
    public Map<String, String> profiles() {
        return profileByType;
    }

    public List<MetadataResource> resources() {
        return resources;
    }

    /** The profiles, code systems and value sets as a validation support for HAPI's validator chain. */
    public PrePopulatedValidationSupport validationSupport(FhirContext fhir) {
        PrePopulatedValidationSupport support = new PrePopulatedValidationSupport(fhir);
        resources.forEach(support::addResource);
        return support;
    }
}
