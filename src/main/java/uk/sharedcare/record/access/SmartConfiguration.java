package uk.sharedcare.record.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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

    private static byte[] render(IdentityProperties identity) {
        Map<String, Object> smart = new LinkedHashMap<>();
        smart.put("issuer", identity.issuerUri());
        smart.put("jwks_uri", identity.jwkSet().toString());
        smart.put("authorization_endpoint", identity.authorization().toString());
        smart.put("token_endpoint", identity.token().toString());
        smart.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        smart.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        smart.put("response_types_supported", List.of("code"));
        smart.put("scopes_supported", List.of("openid"));
        smart.put("code_challenge_methods_supported", List.of("S256"));
        smart.put("capabilities", List.of("client-public", "client-confidential-symmetric", "sso-openid-connect"));
        try {
            return new ObjectMapper().writeValueAsBytes(smart);
        } catch (IOException e) {
            throw new IllegalStateException("Could not render the SMART configuration", e);
        }
    }
}
