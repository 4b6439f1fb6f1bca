package uk.sharedcare.support;

/**
 * Named callers from the demo borough, as the test identity provider would issue their tokens. The
 * organisations and users mirror the Keycloak realm in {@code keycloak/shared-care-realm.json}.
 */
public final class Callers {

    public static final String RIVERSIDE_PRACTICE = "Y90001";
    public static final String NORTHGATE_PRACTICE = "Y90002";
    public static final String BOROUGH_TRUST = "RZ9";
    public static final String BOROUGH_COUNCIL = "L9001";
    public static final String INTEGRATED_CARE_BOARD = "QZ9";
    public static final String ANALYTICS_BODY = "X9Z01";

    private Callers() {}

    /** Dr Patel, a GP at Riverside Medical Centre. */
    public static TestIdentityProvider.Token drPatel() {
        return TestIdentityProvider.token().subject("dr.patel").roles("gp", "offline_access")
                .organisation(RIVERSIDE_PRACTICE).practitioner("dr-patel").purposes("TREAT", "ETREAT");
    }

    /** Dr Jones, a GP at Northgate Surgery, the practice that shares only with consent. */
    public static TestIdentityProvider.Token drJones() {
        return TestIdentityProvider.token().subject("dr.jones").roles("gp")
                .organisation(NORTHGATE_PRACTICE).practitioner("dr-jones").purposes("TREAT", "ETREAT");
    }

    /** Sean Murphy, a social worker at the borough council. */
    public static TestIdentityProvider.Token swMurphy() {
        return TestIdentityProvider.token().subject("sw.murphy").roles("social-worker")
                .organisation(BOROUGH_COUNCIL).practitioner("sw-murphy").purposes("TREAT");
    }

    /** Nurse Okafor, a clinician at the borough's hospital trust. */
    public static TestIdentityProvider.Token nurseOkafor() {
        return TestIdentityProvider.token().subject("nurse.okafor").roles("clinician")
                .organisation(BOROUGH_TRUST).practitioner("nurse-okafor").purposes("TREAT", "ETREAT");
    }

    /** Analyst Chen, at the integrated care board: commissioning only. */
    public static TestIdentityProvider.Token analystChen() {
        return TestIdentityProvider.token().subject("analyst.chen").roles("commissioner")
                .organisation(INTEGRATED_CARE_BOARD).purposes("HOPERAT");
    }

    /** A user of the given role and organisation, permitted TREAT only. */
    public static TestIdentityProvider.Token token(String username, String role, String organisation) {
        return TestIdentityProvider.token().subject(username).roles(role).organisation(organisation)
                .purposes("TREAT");
    }

    /** Riverside's EHR feed, a system client using client credentials. */
    public static TestIdentityProvider.Token riversideEhrFeed() {
        return TestIdentityProvider.token().subject("service-account-riverside-gp-ehr").client("riverside-gp-ehr")
                .roles("system").organisation(RIVERSIDE_PRACTICE).purposes("TREAT");
    }

    /** The approved analytics body's system client, which receives the pseudonymised extract. */
    public static TestIdentityProvider.Token analyticsRecipient() {
        return TestIdentityProvider.token().subject("service-account-analytics-recipient")
                .client("analytics-recipient").roles("system").organisation(ANALYTICS_BODY)
                .purposes("HOPERAT", "HRESCH");
    }
}
