package uk.sharedcare.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import uk.sharedcare.population.Borough;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * Tokens for the plugin-on server, signed by the test identity provider (whose JWKS the server trusts) and
 * shaped like the realm's: each organisation's system client for loading, a hospital clinician and a council
 * social worker for the measured requests. Valid for a day, so no run outlives its tokens.
 */
final class BenchCallers {

    /** The commissioner receiving the pseudonymised extract; the plugin-on server has its key. */
    static final String INTEGRATED_CARE_BOARD = "QZ9";

    private final Map<String, String> systemClients = new ConcurrentHashMap<>();

    /** The system client (client credentials) of an organisation, writing what that organisation records. */
    String systemClientOf(String ods) {
        return systemClients.computeIfAbsent(ods, code -> token().subject("service-account-bench-" + code)
                .client("bench-loader-" + code).roles("system").organisation(code).purposes("TREAT").sign());
    }

    /** A nurse at the borough's hospital trust, for direct care. */
    String trustClinician() {
        return token().subject("nurse.okafor").roles("clinician").organisation(Borough.TRUST)
                .practitioner(Borough.TRUST_CLINICIAN).purposes("TREAT", "ETREAT").sign();
    }

    /** A social worker at the council. */
    String socialWorker() {
        return token().subject("sw.murphy").roles("social-worker").organisation(Borough.COUNCIL)
                .practitioner(Borough.SOCIAL_WORKER).purposes("TREAT").sign();
    }

    /** A commissioner at the integrated care board, whose pseudonymised monthly extract is timed. */
    String commissioner() {
        return token().subject("analyst.chen").roles("commissioner").organisation(INTEGRATED_CARE_BOARD)
                .purposes("HOPERAT").sign();
    }

    private static TestIdentityProvider.Token token() {
        return TestIdentityProvider.token().expiresAt(Instant.now().plus(1, ChronoUnit.DAYS));
    }
}
