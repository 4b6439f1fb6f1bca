package uk.sharedcare.quickstart;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;

/** What the quick start prints once everything is up: the demo users and how to call the record with a token. */
final class Welcome {

    private Welcome() {}

    static String text(LocalKeycloak keycloak, String serverPort, Duration startUp) {
        return text(keycloak.issuer(), keycloak.tokenEndpoint(), serverPort, startUp);
    }

    static String text(String issuer, String token, String serverPort, Duration startUp) {
        String fhir = "http://localhost:" + serverPort + "/fhir";
        return """

                ==========================================================================================
                 Shared Care Record is running (started in %d s)
                   FHIR API   %s   (CapabilityStatement: %s/metadata)
                   Console    %s   (sign in as a practice, a DPO or a patient)
                   Keycloak   %s   (realm shared-care)
                 Demo users (password: demo-password), each acting for an organisation:
                   dr.patel      gp             Y90001 Riverside Medical Centre      TREAT, ETREAT
                   dr.jones      gp             Y90002 Northgate Surgery             TREAT, ETREAT
                   nurse.okafor  clinician      RZ9    Borough Hospitals NHS Trust   TREAT, ETREAT
                   sw.murphy     social-worker  L9001  Borough Council Social Care   TREAT
                   analyst.chen  commissioner   QZ9    Borough Integrated Care Board HOPERAT
                   dpo.williams  dpo            QZ9                                  TREAT, HOPERAT
                   admin.scr     admin          QZ9                                  HOPERAT
                   patient.hughes patient       (Margaret Hughes, NHS number 9990000107) PATRQT
                   patient.nowak  patient       (Tomasz Nowak, NHS number 9990000115)    PATRQT
                 In the console: dr.patel (a practice), dpo.williams (a DPO), patient.hughes (a patient).
                 System clients (client credentials): riverside-gp-ehr, council-case-management,
                   analytics-recipient (secrets in keycloak/README.md; demo only)

                 A user's token, then a call to the record:
                   TOKEN=$(curl -s -d grant_type=password -d client_id=shared-care-demo-cli \\
                     -d username=dr.patel -d password=demo-password %s \\
                     | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                   curl -H "Authorization: Bearer $TOKEN" '%s/Patient?_count=5'
                 Break-glass adds:  -H 'X-Purpose-Of-Use: ETREAT' -H 'X-Break-Glass-Reason: <why>'
                 The pseudonymised extract of this month's record so far (log in as analyst.chen; without
                 month= it is the month just ended), then poll the Content-Location URL:
                   curl -i -H "Authorization: Bearer $TOKEN" -H 'X-Purpose-Of-Use: HOPERAT' \
                     -H 'Prefer: respond-async' '%s/$export?month=%s'
                 Ctrl-C stops the record and Keycloak.
                ==========================================================================================
                """.formatted(startUp.toSeconds(), fhir, fhir, "http://localhost:" + serverPort + "/console", issuer,
                        token, fhir, fhir,
                        YearMonth.now(ZoneId.of("Europe/London")));
    }
}
