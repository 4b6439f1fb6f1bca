package uk.sharedcare.record.access;

import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The organisation that wrote a resource, recorded by the server as a {@code meta.tag} whose code is the
 * writer's ODS code. Searchable with {@code _tag=<system>|<ODS code>}.
 */
public final class Custodian {

    /** The tag's system; the server alone sets tags in it. */
    public static final String TAG_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/custodian";

    private Custodian() {}

    public static Optional<String> of(IBaseResource resource) {
        return resource.getMeta().getTag().stream()
                .filter(tag -> TAG_SYSTEM.equals(tag.getSystem()))
                .map(IBaseCoding::getCode)
                .findFirst();
    }
}
