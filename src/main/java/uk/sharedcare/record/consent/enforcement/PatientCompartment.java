package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Task;

/**
 * Which patients a resource is about: its owners in the FHIR Patient compartment, or itself for a Patient. A Task,
 * which R4 leaves out of the compartment, is about the patient it is {@code for}: a referral's status is part of the
 * patient's record, decided by the patient's state and audited as such.
 */
public final class PatientCompartment {

    private PatientCompartment() {}

    public static List<String> patientsOf(FhirContext fhir, IBaseResource resource) {
        if ("Patient".equals(resource.fhirType())) {
            // A Patient being created under a host's sequential ids has none yet: it is about no one stored.
            return resource.getIdElement().hasIdPart()
                    ? List.of(resource.getIdElement().toUnqualifiedVersionless().withResourceType("Patient").getValue())
                    : List.of();
        }
        if (resource instanceof Task task) {
            IIdType subject = task.getFor().getReferenceElement();
            return "Patient".equals(subject.getResourceType()) && subject.hasIdPart()
                    ? List.of(subject.toUnqualifiedVersionless().getValue()) : List.of();
        }
        // HAPI's compartment walk also returns other participants (a CareTeam's practitioners, for example).
        return fhir.newTerser().getCompartmentOwnersForResource("Patient", resource, (Set<String>) null).stream()
                .filter(owner -> "Patient".equals(owner.getResourceType()))
                .map(IIdType::toUnqualifiedVersionless)
                .map(IIdType::getValue)
                .distinct()
                .toList();
    }
}
