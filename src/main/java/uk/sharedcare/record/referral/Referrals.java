package uk.sharedcare.record.referral;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import uk.sharedcare.record.access.Custodian;

/**
 * What makes a resource part of a referral (rule 12). A referral is a ServiceRequest with the SNOMED CT category
 * 3457005 (Patient referral); its status, as its recipient reports it, is a Task whose focus is a referral. The
 * server records on both, as {@code meta.tag}s in its own system (as it records the custodian), the ODS codes of the
 * organisations the referral is between: the one that referred the patient and the ones it referred them to. The
 * policy reads the parties from those tags alone; whatever a client sends in that system is discarded.
 */
public final class Referrals {

    public static final String CATEGORY_SYSTEM = "http://snomed.info/sct";
    public static final String CATEGORY_CODE = "3457005";
    public static final String PARTY_TAG_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/referral-party";
    public static final String PROFILE = "https://sharedcarerecord.uk/fhir/StructureDefinition/scr-referral";
    public static final String STATUS_PROFILE =
            "https://sharedcarerecord.uk/fhir/StructureDefinition/scr-referral-status";

    private Referrals() {}

    /** A ServiceRequest categorised as a patient referral. */
    public static boolean isReferral(IBaseResource resource) {
        return resource instanceof ServiceRequest request && request.getCategory().stream()
                .flatMap(category -> category.getCoding().stream())
                .anyMatch(coding -> CATEGORY_SYSTEM.equals(coding.getSystem())
                        && CATEGORY_CODE.equals(coding.getCode()));
    }

    /** A Task the server has recorded as the status of a referral, or one that claims to be one by its profile. */
    public static boolean isReferralStatus(IBaseResource resource) {
        return resource instanceof Task task && (!partiesOf(task).isEmpty()
                || task.getMeta().getProfile().stream().anyMatch(profile -> STATUS_PROFILE.equals(profile.getValue())));
    }

    /** The organisations the referral is between, as the server recorded them; empty for anything else. */
    public static Set<String> partiesOf(IBaseResource resource) {
        return resource.getMeta().getTag().stream()
                .filter(tag -> PARTY_TAG_SYSTEM.equals(tag.getSystem()))
                .map(IBaseCoding::getCode)
                .filter(code -> code != null)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The organisations a referral is addressed to: its parties but the one that made it. */
    public static Set<String> recipientsOf(IBaseResource referral) {
        Set<String> recipients = partiesOf(referral);
        Custodian.of(referral).ifPresent(recipients::remove);
        return recipients;
    }

    /** Records the parties on the resource, replacing whatever was there (a client's own tags in this system too). */
    public static void recordParties(IBaseResource resource, Set<String> parties) {
        resource.getMeta().getTag().removeIf(tag -> PARTY_TAG_SYSTEM.equals(tag.getSystem()));
        new TreeSet<>(parties).forEach(party -> {
            IBaseCoding tag = resource.getMeta().addTag();
            tag.setSystem(PARTY_TAG_SYSTEM);
            tag.setCode(party);
            tag.setDisplay("Party to the referral: " + party);
        });
    }
}
