package uk.sharedcare.record.consent;

/**
 * The sharing rules of the record, each with the plain words a denial's OperationOutcome and
 * {@code $explain-access} use. Numbers refer to the rules in docs/policy.md.
 */
public enum PolicyRule {
    PURPOSE_OF_USE("8", "Identifiable data is shared for direct care only (purpose TREAT or ETREAT);"
            + " other purposes use the pseudonymised extract"),
    OWN_DATA("-", "An organisation always sees the data it recorded itself"),
    SENSITIVE_DATA("6", "Sexual health data is never shown outside the organisation that recorded it"),
    BREAK_GLASS("8", "Emergency access (ETREAT) by a clinician with a stated reason; flagged for review"),
    LEGITIMATE_RELATIONSHIP("1", "Only the registered GP practice, an organisation with an active episode of care,"
            + " or a member of the patient's active care team sees the patient's record"),
    CUSTODIAN_ALLOW_LIST("1", "The organisation that recorded this data shares it only with the organisations"
            + " it has listed"),
    EXEMPT_COHORT("5", "Records of children and of patients with a mental illness or a learning disability are"
            + " not shared beyond the organisation that recorded them"),
    GP_DISSENT("4", "The patient has a GP dissent code on their record, so their record is not shared in the"
            + " local scheme"),
    PATIENT_DISSENT("2", "The patient has dissented from sharing this data"),
    PATIENT_PERMIT("2", "The patient has consented to sharing this data"),
    OPT_IN_WITHOUT_CONSENT("3", "The organisation that recorded this data shares it only with the patient's"
            + " explicit consent, and there is none"),
    SHARED_BY_DEFAULT("3", "The organisation that recorded this data shares it unless the patient dissents"),
    ROLE_VIEW("7", "This role does not see this kind of data"),
    SMART_SCOPE("-", "The access token's SMART scopes do not cover this data or this kind of request; scopes only"
            + " ever narrow what the other rules allow"),
    EXPOSURE_GUARD("-", "This kind of request could reveal data you may not see, so the record does not offer it"),
    AUDIT_READERS("-", "The audit trail is read by data protection officers, and by a patient's GP practice for"
            + " its own patients"),
    GOVERNANCE("-", "This operation is for data protection officers and admins"),
    DIRECTORY("-", "Organisations, practitioners and their roles are shared with every direct-care user"),
    NOT_ABOUT_A_PATIENT("-", "Data that is not about a patient is shown only to the organisation that recorded it"),
    WRITE_AS_OWN_ORGANISATION("9", "A user may change only data their own organisation recorded"),
    START_OF_CARE("1", "An organisation begins its care of a patient with Patient/$start-care, giving the patient's"
            + " NHS number and date of birth; it cannot give itself a relationship by recording an EpisodeOfCare for"
            + " a patient it has none with"),
    CONSENT_WRITERS("9", "Only the patient's registered GP practice, a data protection officer, or a system of"
            + " that practice records a patient's consent"),
    ORGANISATION_SETTINGS("3", "An organisation's own GPs choose how it shares the data it records (by default or"
            + " only with the patient's consent, and with which organisations); admins may set it for any"
            + " organisation, and the organisation's users and data protection officers may read it"),
    PATIENT_OWN_RECORD("-", "A patient signed in for themselves sees their own details, their sharing choices and who"
            + " has looked at their record, and records their own choice; never another patient's, and their"
            + " clinical record is shared by the services that care for them"),
    NATIONAL_DATA_OPT_OUT("10", "Data of a patient who has registered a National Data Opt-out does not leave for"
            + " planning or research; an extract is made only with a recent answer of the national service, unless"
            + " its recipient is configured as not needing it"),
    REFERRAL_PARTIES("12", "A referral, and the status its recipient reports on it, are shared only between the"
            + " organisation that referred the patient and the organisations it referred them to; a recipient sees"
            + " the patient's details, and the rest of the record once it starts care"),
    SHARING_AGREEMENT("11", "An organisation shares the data it records, and sees what others have recorded, only"
            + " while its sharing agreement for the scheme is in force"),
    SECONDARY_USE("10", "Pseudonymised extracts go only to a configured recipient, asked for by its commissioners"
            + " or its analytics system, for a purpose configured for that recipient");

    private final String number;
    private final String plainWords;

    PolicyRule(String number, String plainWords) {
        this.number = number;
        this.plainWords = plainWords;
    }

    /** The rule's number in docs/policy.md ("-" for the custodian's own-data rule, which has none). */
    public String number() {
        return number;
    }

    public String plainWords() {
        return plainWords;
    }
}
