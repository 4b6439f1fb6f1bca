package uk.sharedcare.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

    private static String token(Map<String, String> form) {
        return token(keycloak().tokenEndpoint(), form);
    }

    private static String token(String tokenEndpoint, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenEndpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Keycloak refused a token: " + response.body());
            }
            return JSON.readTree(response.body()).path("access_token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String realmClientSecret(String clientId) {
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
