package uk.sharedcare.record.profiles;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Lists the record's profiles in the CapabilityStatement (hook {@code SERVER_CAPABILITY_STATEMENT_GENERATED}): each
 * profiled resource type names its profile as {@code profile} (what every instance is validated against on write)
 * and {@code supportedProfile}; a profile of some instances only (a referral, a referral's status) is a
 * {@code supportedProfile} of its type.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class ProfileCapabilities {

    private final RecordProfiles profiles;

    public ProfileCapabilities(RecordProfiles profiles) {
        this.profiles = profiles;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void listProfiles(IBaseConformance capabilities) {
        for (CapabilityStatementRestResourceComponent resource
                : ((CapabilityStatement) capabilities).getRestFirstRep().getResource()) {
            profiles.profileFor(resource.getType()).ifPresent(profile -> {
                resource.setProfile(profile);
                supports(resource, profile);
            });
            Optional.ofNullable(profiles.instanceProfiles().get(resource.getType()))
                    .ifPresent(profile -> supports(resource, profile));
        }
    }

    private static void supports(CapabilityStatementRestResourceComponent resource, String profile) {
        if (resource.getSupportedProfile().stream().noneMatch(p -> profile.equals(p.getValue()))) {
            resource.addSupportedProfile(profile);
        }
    }
}
