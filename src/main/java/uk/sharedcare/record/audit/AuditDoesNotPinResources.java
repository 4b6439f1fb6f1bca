package uk.sharedcare.record.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * The audit trail points at every resource it records as disclosed. HAPI refuses to delete a resource something
 * refers to, so without this hook ({@code STORAGE_PRESTORAGE_DELETE_CONFLICTS}) nothing ever shown to anyone could
 * be deleted by its custodian. References from AuditEvents are not conflicts: the trail keeps the reference as a
 * record of what was disclosed, whether or not the resource still exists.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
final class AuditDoesNotPinResources {

    @Hook(Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS)
    public void ignoreAuditReferences(DeleteConflictList conflicts) {
        conflicts.removeIf(conflict -> "AuditEvent".equals(conflict.getSourceId().getResourceType()));
    }
}
