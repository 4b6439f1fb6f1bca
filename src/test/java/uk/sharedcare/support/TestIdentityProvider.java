package uk.sharedcare.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in identity provider for tests that do not need Keycloak itself: an RSA signing key whose public half
 * is published as a JWKS on a local port, and a builder for access tokens shaped like the realm's. The server
 * trusts it through its ordinary settings ({@code shared-care.identity.issuer-uri} and {@code jwk-set-uri}).
 */
public final class TestIdentityProvider {

    public static final String ISSUER = "https://identity.test.invalid/realms/shared-care";
    public static final String AUDIENCE = "shared-care-record";

    private static final RSAKey SIGNING_KEY = newKey("test-signing-key");
    private static final RSAKey STRANGER_KEY = newKey("test-signing-key");
    private static String jwksUri;

    private TestIdentityProvider() {}

    /** The JWKS address, publishing the signing key; started on first use and kept for the JVM's life. */
    public static synchronized String jwksUri() {
        if (jwksUri == null) {
            jwksUri = publish(new JWKSet(SIGNING_KEY.toPublicJWK()).toString());
        }
        return jwksUri;
    }

    /** A token with the realm's claims and nothing role-specific yet; five minutes of validity. */
    public static Token token() {
        return new Token();
    }

    /** What the realm's clients are given by default: the policy alone decides. */
    public static final String DEFAULT_SCOPE = "openid profile user/*.cruds";

    /** Builder of one access token. */
    public static final class Token {
        private final Map<String, Object> claims = new HashMap<>();
        private RSAKey key = SIGNING_KEY;

        private Token() {
            Instant now = Instant.now();
            claims.put("iss", ISSUER);
            claims.put("aud", List.of(AUDIENCE, "account"));
            claims.put("sub", UUID.randomUUID().toString());
            claims.put("azp", "shared-care-console");
            claims.put("iat", Date.from(now));
            claims.put("exp", Date.from(now.plusSeconds(300)));
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("scope", DEFAULT_SCOPE);
        }

        /** SMART scopes (space-separated), replacing the default {@value #DEFAULT_SCOPE}. */
        public Token scope(String scope) {
            return claim("scope", scope);
        }

        /** The SMART launch context's patient ({@code patient} claim), as a bare id. */
        public Token launchPatient(String patientId) {
            return claim("patient", patientId);
        }

        public Token subject(String subject) {
            return claim("sub", subject);
        }

        public Token client(String clientId) {
            return claim("azp", clientId);
        }

        public Token roles(String... roles) {
            return claim("roles", List.of(roles));
        }

        public Token organisation(String odsCode) {
            return claim("organisation", odsCode);
        }

        public Token practitioner(String practitionerId) {
            return claim("practitioner", practitionerId);
        }

        public Token purposes(String... purposes) {
            return claim("purpose_of_use", List.of(purposes));
        }

        public Token issuer(String issuer) {
            return claim("iss", issuer);
        }

        public Token audience(String... audience) {
            return claim("aud", List.of(audience));
        }

        public Token expiresAt(Instant expiry) {
            return claim("exp", Date.from(expiry));
        }

        public Token issuedAt(Instant issuedAt) {
            return claim("iat", Date.from(issuedAt));
        }

        public Token notBefore(Instant notBefore) {
            return claim("nbf", Date.from(notBefore));
        }

        public Token without(String claim) {
            claims.remove(claim);
            return this;
        }

        /** Signs with a key of the same id that the server has never seen. */
        public Token signedByStranger() {
            key = STRANGER_KEY;
            return this;
        }

        public Token claim(String name, Object value) {
            claims.put(name, value);
            return this;
        }

        public String sign() {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claimsSet());
            try {
                jwt.sign(new RSASSASigner(key));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }

        /** The same claims with {@code alg: none} and no signature. */
        public String unsigned() {
            return new PlainJWT(claimsSet()).serialize();
        }

        private JWTClaimsSet claimsSet() {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
            claims.forEach(builder::claim);
            return builder.build();
        }
    }

    private static RSAKey newKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String publish(String jwks) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            server.createContext("/certs", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(null);
            server.start();
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
