package uk.sharedcare.record.consent.enforcement;

import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Resource;

/**
 * Carries out {@link Obligation#REDACT_CLINICAL_DETAIL}: a copy of the resource without why it happened or what
 * was found (reasons, diagnoses, narrative, discharge details), labelled {@code REDACTED} (v3 ObservationValue).
 * Types this step does not know how to redact are not shown at all rather than shown whole.
 */
final class ClinicalDetailRedaction {

    static final String REDACTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

    private ClinicalDetailRedaction() {}

    static Optional<IBaseResource> redact(IBaseResource resource) {
        if (!(resource instanceof Encounter original)) {
            return Optional.empty();
        }
        Encounter copy = original.copy();
        copy.setText(null);
        copy.setReasonCode(null);
        copy.setReasonReference(null);
        copy.setDiagnosis(null);
        copy.getHospitalization().setDischargeDisposition(null).setAdmitSource(null).setReAdmission(null)
                .setDietPreference(null).setSpecialArrangement(null).setSpecialCourtesy(null);
        copy.getMeta().addSecurity(new Coding(REDACTED_SYSTEM, "REDACTED", "redacted"));
        return Optional.of((Resource) copy);
    }
}
