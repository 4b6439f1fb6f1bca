package uk.sharedcare.record.consent;

import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;

/** A coded value: a code system and a code, compared exactly. */
public record Code(String system, String code) {

    /** Every coding of a concept. */
    public static List<Code> allOf(CodeableConcept concept) {
        return concept.getCoding().stream().map(c -> new Code(c.getSystem(), c.getCode())).toList();
    }
}
