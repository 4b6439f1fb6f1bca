package uk.sharedcare.record;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * A stored resource as the record itself reads it (as the system, no caller's rules applied): present, or empty
 * when there is no such resource or it has been deleted, which every such read treats alike.
 */
public final class StoredResources {

    private StoredResources() {}

    /** The resource {@code id} names ({@code Type/id}, optionally a version); empty if missing or deleted. */
    public static Optional<IBaseResource> read(DaoRegistry daos, IIdType id) {
        try {
            return Optional.of(daos.getResourceDao(id.getResourceType()).read(id, new SystemRequestDetails()));
        } catch (ResourceNotFoundException | ResourceGoneException missingOrDeleted) {
            return Optional.empty();
        }
    }

    /** As {@link #read(DaoRegistry, IIdType)}, for a resource of a known type. */
    public static <T extends IBaseResource> Optional<T> read(DaoRegistry daos, Class<T> type, IIdType id) {
        try {
            return Optional.of(daos.getResourceDao(type).read(id, new SystemRequestDetails()));
        } catch (ResourceNotFoundException | ResourceGoneException missingOrDeleted) {
            return Optional.empty();
        }
    }
}
