package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import uk.sharedcare.record.StoredResources;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;

/**
 * The organisations that hold data about a patient: the custodian of the patient's own resource and of every
 * resource of a type with a {@code patient} search parameter that is about them, read as the server's own work.
 * What the patient recorded themselves (their own choices) is theirs, not an organisation's, and is not listed.
 */
final class DataHolders {

    private final DaoRegistry daos;
    private final FhirContext fhir;

    DataHolders(DaoRegistry daos, FhirContext fhir) {
        this.daos = daos;
        this.fhir = fhir;
    }

    /** ODS codes, sorted. */
    SortedSet<String> of(String patientId) {
        SortedSet<String> holders = new TreeSet<>();
        read(patientId).flatMap(Custodian::of).ifPresent(holders::add);
        for (String type : daos.getRegisteredDaoTypes()) {
            if (fhir.getResourceDefinition(type).getSearchParam("patient") == null) {
                continue;
            }
            SearchParameterMap about = SearchParameterMap.newSynchronous("patient", new ReferenceParam(patientId));
            daos.getResourceDao(type).search(about, new SystemRequestDetails()).getAllResources()
                    .forEach(resource -> Custodian.of(resource).ifPresent(holders::add));
        }
        holders.removeIf(holder -> holder.startsWith(AccessContext.PATIENT_PREFIX));
        return holders;
    }

    private Optional<IBaseResource> read(String patientId) {
        return StoredResources.read(daos, new IdType(patientId).withResourceType("Patient"));
    }
}
