package uk.sharedcare.quickstart;

import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * A real Keycloak server on this machine, started from the distribution Maven unpacks under
 * {@code target/keycloak} with {@code keycloak/start-keycloak.sh}, which imports the {@code shared-care} realm.
 * Used by the quick start and by the integration tests that need real tokens. Listens on 127.0.0.1 only.
 */
public final class LocalKeycloak implements AutoCloseable {

    public static final String REALM = "shared-care";

    private final Process process;
    private final int port;

    private LocalKeycloak(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts Keycloak and waits until the realm answers; the log goes to {@code log}. */
    public static LocalKeycloak start(Path projectDirectory, int port, Path dataDirectory, Path log, Duration wait) {
        Path home = distribution(projectDirectory);
        try {
            Files.createDirectories(dataDirectory);
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder("bash",
                            projectDirectory.resolve("keycloak/start-keycloak.sh").toString(),
                            home.toString(), Integer.toString(port), dataDirectory.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalKeycloak keycloak = new LocalKeycloak(process, port);
            keycloak.awaitRealm(wait, log);
            return keycloak;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Keycloak from " + home, e);
        }
    }

    /** The unpacked Keycloak distribution under {@code target/keycloak}. */
    static Path distribution(Path projectDirectory) {
        Path unpacked = projectDirectory.resolve("target/keycloak");
        try (Stream<Path> candidates = Files.isDirectory(unpacked) ? Files.list(unpacked) : Stream.empty()) {
            return candidates
                    .filter(p -> Files.isRegularFile(p.resolve("bin/kc.sh")))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No Keycloak distribution under " + unpacked
                            + "; Maven unpacks it in the process-test-resources phase (./mvnw test-compile)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public int port() {
        return port;
    }

    private void awaitRealm(Duration wait, Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest discovery = HttpRequest.newBuilder(
                URI.create(issuer() + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak stopped during start-up; see " + log);
            }
            try {
                if (http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofSeconds(1));
        }
        close();
        throw new IllegalStateException("Keycloak did not answer within " + wait + "; see " + log);
    }

    /** Stops Keycloak and everything it started. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
