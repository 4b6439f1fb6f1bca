package uk.sharedcare.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import uk.sharedcare.quickstart.LocalKeycloak;

/**
 * One real Keycloak per test JVM, with the project's realm imported, and real tokens from it through the
 * password and client-credentials grants. Client secrets are read from the realm file itself.
 */
public final class KeycloakSupport {

    public static final String DEMO_PASSWORD = "demo-password";
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalKeycloak keycloak;

    private KeycloakSupport() {}

    public static synchronized LocalKeycloak keycloak() {
        if (keycloak == null) {
            try {
                Path data = Files.createTempDirectory("scr-test-keycloak");
                keycloak = LocalKeycloak.start(PROJECT, freePort(), data, data.resolve("keycloak.log"),
                        Duration.ofMinutes(4));
                Runtime.getRuntime().addShutdownHook(new Thread(keycloak::close, "stop-test-keycloak"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keycloak;
    }

    /** A demo user's access token, by the password grant of the demo CLI client. */
    public static String userToken(String username) {
        return token(Map.of("grant_type", "password", "client_id", "shared-care-demo-cli",
                "username", username, "password", DEMO_PASSWORD));
    }

    /** A system client's access token, by the client-credentials grant. */
    public static String clientToken(String clientId) {
        return clientToken(keycloak().tokenEndpoint(), clientId);
    }

    public static String clientToken(String tokenEndpoint, String clientId) {
        return token(tokenEndpoint, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", realmClientSecret(clientId)));
    }

    /** The demo CLI's password grant asking for these scopes: the whole token response. */
    public static JsonNode userTokenResponse(String username, String scope) {
        return tokenResponse(keycloak().tokenEndpoint(), Map.of("grant_type", "password",
                "client_id", "shared-care-demo-cli", "username", username, "password", DEMO_PASSWORD,
                "scope", scope));
    }

    /**
     * What a SMART App Launch 2 app gets: the authorization code flow with PKCE of the public client
     * {@code smart-app-demo}, the user signing in on Keycloak's own login form, then the code exchanged.
     */
    public static JsonNode smartAppTokenResponse(String username, String scope) {
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        String redirect = "http://localhost/smart-app/callback";
        String authorize = keycloak().issuer() + "/protocol/openid-connect/auth?" + form(Map.of(
                "response_type", "code", "client_id", "smart-app-demo", "redirect_uri", redirect, "scope", scope,
                "state", "s" + System.nanoTime(), "code_challenge", challenge, "code_challenge_method", "S256"));
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> loginPage = send(browser, HttpRequest.newBuilder(URI.create(authorize)).GET().build());
        if (loginPage.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused the authorization request: " + loginPage.statusCode()
                    + " " + loginPage.headers().firstValue("Location").orElse(loginPage.body()));
        }
        Matcher action = Pattern.compile("action=\"([^\"]+)\"").matcher(loginPage.body());
        if (!action.find()) {
            throw new IllegalStateException("No login form in Keycloak's page");
        }
        // Keycloak's session cookies are Secure, which a browser still sends to http://localhost and Java's
        // CookieManager does not: they are carried by hand.
        String cookies = loginPage.headers().allValues("Set-Cookie").stream()
                .map(cookie -> cookie.substring(0, cookie.indexOf(';') < 0 ? cookie.length() : cookie.indexOf(';')))
                .collect(Collectors.joining("; "));
        HttpResponse<String> signedIn = send(browser, HttpRequest.newBuilder(
                        URI.create(action.group(1).replace("&amp;", "&")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", cookies)
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("username", username,
                        "password", DEMO_PASSWORD, "credentialId", ""))))
                .build());
        String location = signedIn.headers().firstValue("Location").orElseThrow(() ->
                new IllegalStateException("Signing in did not redirect back: " + signedIn.statusCode()));
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        if (!code.find()) {
            throw new IllegalStateException("Keycloak redirected back without a code: " + location);
        }
        return tokenResponse(keycloak().tokenEndpoint(), Map.of("grant_type", "authorization_code",
                "client_id", "smart-app-demo", "redirect_uri", redirect, "code_verifier", verifier,
                "code", URLDecoder.decode(code.group(1), StandardCharsets.UTF_8)));
    }

    /**
     * SMART Backend Services: the client authenticates with a JWT it signs with its own private key
     * ({@code private_key_jwt}, RS384), against the public key registered for it in the realm.
     */
    public static JsonNode backendServicesTokenResponse(String clientId, String scope, RSAKey signingKey) {
        Instant now = Instant.now();
        JWTClaimsSet assertion = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
                .audience(keycloak().tokenEndpoint()).jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(240))).build();
        SignedJWT signed = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(signingKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), assertion);
        try {
            signed.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return tokenResponse(keycloak().tokenEndpoint(), Map.of("grant_type", "client_credentials",
                "scope", scope,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", signed.serialize()));
    }

    /** The demo backend-services client's private key (keycloak/demo-backend-services-private-jwk.json). */
    public static RSAKey demoBackendServicesKey() {
        try {
            return RSAKey.parse(Files.readString(PROJECT.resolve("keycloak/demo-backend-services-private-jwk.json")));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(Map<String, String> form) {
        return token(keycloak().tokenEndpoint(), form);
    }

    private static String token(String tokenEndpoint, Map<String, String> form) {
        return tokenResponse(tokenEndpoint, form).path("access_token").asText();
    }

    /** A token request; Keycloak's refusal (400, 401) is thrown with its body, which names the OAuth error. */
    public static JsonNode tokenResponse(String tokenEndpoint, Map<String, String> form) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenEndpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form)))
                .build();
        HttpResponse<String> response = send(HttpClient.newHttpClient(), request);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused a token: " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A confidential client's secret, from the realm file (demo secrets are public). */
    public static String realmClientSecret(String clientId) {
        try {
            JsonNode realm = JSON.readTree(PROJECT.resolve("keycloak/shared-care-realm.json").toFile());
            for (JsonNode client : realm.path("clients")) {
                if (clientId.equals(client.path("clientId").asText())) {
                    return client.path("secret").asText();
                }
            }
            throw new IllegalArgumentException("No client " + clientId + " in the realm file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
