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
import java.util.function.Predicate;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.StructureDefinition.TypeDerivationRule;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import uk.sharedcare.record.referral.Referrals;

/**
 * The record's conformance resources from {@code fhir-profiles/} (packaged on the classpath under the same name):
 * the profiles that define its Patient, Consent, CarePlan, EpisodeOfCare and AuditEvent, those of one kind of a
 * type's instances (a referral is one kind of ServiceRequest, its status one kind of Task), and the code systems and
 * value sets its policy uses. Read once at start; a file that does not parse stops the server.
 */
public final class RecordProfiles {

    static final String LOCATION = "classpath*:fhir-profiles/*.json";

    /** Profiles of some instances of their type only, each with the test that picks those instances out. */
    private static final Map<String, Predicate<IBaseResource>> OF_SOME_INSTANCES = Map.of(
            Referrals.PROFILE, Referrals::isReferral,
            Referrals.STATUS_PROFILE, Referrals::isReferralStatus);

    private final List<MetadataResource> resources;
    private final Map<String, String> profileByType;
    private final Map<String, String> instanceProfileByType;

    RecordProfiles(List<MetadataResource> resources) {
        this.resources = List.copyOf(resources);
        Map<String, String> byType = new TreeMap<>();
        Map<String, String> ofInstances = new TreeMap<>();
        resources.stream()
                .filter(StructureDefinition.class::isInstance)
                .map(StructureDefinition.class::cast)
                .filter(definition -> definition.getDerivation() == TypeDerivationRule.CONSTRAINT)
                .forEach(profile -> {
                    Map<String, String> into = OF_SOME_INSTANCES.containsKey(profile.getUrl()) ? ofInstances : byType;
                    String previous = into.put(profile.getType(), profile.getUrl());
                    if (previous != null) {
                        throw new IllegalStateException("Two record profiles for " + profile.getType() + ": "
                                + previous + " and " + profile.getUrl());
                    }
                });
        this.profileByType = Map.copyOf(byType);
        this.instanceProfileByType = Map.copyOf(ofInstances);
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

    /**
     * The canonical URL of the record's profile for this resource: its type's, or the one for its kind of instance
     * (a referral, a referral's status).
     */
    public Optional<String> profileFor(IBaseResource resource) {
        return profileFor(resource.fhirType()).or(() -> instanceProfileFor(resource));
    }

    /** The profile this resource is held to as one kind of its type's instances (a referral, a referral's status). */
    public Optional<String> instanceProfileFor(IBaseResource resource) {
        return Optional.ofNullable(instanceProfileByType.get(resource.fhirType()))
                .filter(profile -> OF_SOME_INSTANCES.get(profile).test(resource));
    }

    /** Resource type to profile canonical, in type order: the profiles every instance of a type is held to. */
    public Map<String, String> profiles() {
        return profileByType;
    }

    /** Resource type to the canonical of the profile some of its instances are held to, in type order. */
    public Map<String, String> instanceProfiles() {
        return instanceProfileByType;
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
