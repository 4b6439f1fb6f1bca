package uk.sharedcare.record.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * SMART App Launch discovery ({@code GET [base]/.well-known/smart-configuration}, SMART App Launch 2.x §2.1):
 * tells a client which identity provider issues tokens for this server and how to obtain one. Served as a
 * filter in front of the FHIR servlet, which would otherwise read {@code .well-known} as a resource type.
 */
public final class SmartConfiguration extends OncePerRequestFilter {

    public static final String PATH = "/.well-known/smart-configuration";

    private final String fullPath;
    private final byte[] document;

    SmartConfiguration(String fhirBasePath, IdentityProperties identity) {
        this.fullPath = fhirBasePath + PATH;
        this.document = render(identity);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("GET".equals(request.getMethod()) && fullPath.equals(request.getRequestURI()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json;charset=utf-8");
        response.setContentLength(document.length);
        response.getOutputStream().write(document);
    }

    /** The SMART scopes the realm offers and the record enforces (the realm's client scopes; KeycloakIT). */
    static final List<String> SCOPES = scopes();

    private static List<String> scopes() {
        List<String> scopes = new ArrayList<>(List.of("openid", "fhirUser", "launch/patient", "offline_access",
                "patient/*.rs", "patient/*.cruds", "user/*.rs", "user/*.cruds", "system/*.rs", "system/*.cruds"));
        for (String type : List.of("Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance",
                "MedicationStatement", "DocumentReference", "Flag", "EpisodeOfCare", "CarePlan", "CareTeam",
                "Consent")) {
            scopes.add("patient/" + type + ".rs");
            scopes.add("user/" + type + ".rs");
        }
        return List.copyOf(scopes);
    }

    private static byte[] render(IdentityProperties identity) {
        Map<String, Object> smart = new LinkedHashMap<>();
        smart.put("issuer", identity.issuerUri());
        smart.put("jwks_uri", identity.jwkSet().toString());
        smart.put("authorization_endpoint", identity.authorization().toString());
        smart.put("token_endpoint", identity.token().toString());
        smart.put("introspection_endpoint", identity.introspection().toString());
        smart.put("revocation_endpoint", identity.revocation().toString());
        smart.put("grant_types_supported", List.of("authorization_code", "client_credentials", "refresh_token"));
        smart.put("token_endpoint_auth_methods_supported",
                List.of("client_secret_basic", "client_secret_post", "private_key_jwt"));
        smart.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
        smart.put("response_types_supported", List.of("code"));
        smart.put("scopes_supported", SCOPES);
        smart.put("code_challenge_methods_supported", List.of("S256"));
        // No EHR launch and no patient picker: a patient/ scope works for an account that names its own patient.
        smart.put("capabilities", List.of("launch-standalone", "client-public", "client-confidential-symmetric",
                "client-confidential-asymmetric", "sso-openid-connect", "permission-v2", "permission-patient",
                "permission-user", "permission-offline"));
        try {
            return new ObjectMapper().writeValueAsBytes(smart);
        } catch (IOException e) {
            throw new IllegalStateException("Could not render the SMART configuration", e);
        }
    }
}
