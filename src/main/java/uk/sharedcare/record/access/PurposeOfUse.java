package uk.sharedcare.record.access;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a caller is asking, as a code of the HL7 v3 ActReason code system
 * ({@code http://terminology.hl7.org/CodeSystem/v3-ActReason}), the vocabulary of IHE BALP's purposeOfUse.
 */
public enum PurposeOfUse {
    /** Treatment: direct care of the patient. */
    TREAT("treatment"),
    /** Emergency treatment: break-glass access, always with a stated reason and reviewed afterwards. */
    ETREAT("emergency treatment"),
    /** Healthcare operations, such as commissioning and service planning. */
    HOPERAT("healthcare operations"),
    /** Healthcare research. */
    HRESCH("healthcare research"),
    /** Public health. */
    PUBHLTH("public health"),
    /** Healthcare payment. */
    HPAYMT("healthcare payment"),
    /** Patient requested: a patient looking at their own record's access history and choices. */
    PATRQT("patient requested");

    public static final String CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    private final String display;

    PurposeOfUse(String display) {
        this.display = display;
    }

    public String code() {
        return name();
    }

    public String display() {
        return display;
    }

    static Optional<PurposeOfUse> fromCode(String code) {
        return Arrays.stream(values()).filter(p -> p.name().equals(code)).findFirst();
    }
}
