package uk.sharedcare.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import uk.sharedcare.server.Application;

/**
 * Another node of the record in a JVM of its own (the packaged server), on the test database, as a deployment
 * runs it: it can be frozen ({@code SIGSTOP}: no heartbeats, its work left half done) and killed.
 */
public final class SeparateNode implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofMinutes(4);

    private final Process process;
    private final int port;
    private final Path log;

    private SeparateNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a node with the test servers' settings and waits until it answers. */
    public static SeparateNode start(String name) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx1g", "-jar", serverJar().toString(), "--server.port=" + port));
        try {
            // the same opt-out answer under a name of this node's own, as a node may keep it
            Path answer = Files.createTempDirectory("scr-" + name + "-national-opt-out").resolve("answer-of-" + name);
            Files.copy(TestServerInitializer.NATIONAL_OPT_OUT_ANSWER, answer, StandardCopyOption.COPY_ATTRIBUTES);
            command.addAll(TestServerInitializer.anotherServersArguments(
                    "shared-care.extract.national-opt-out.list=" + answer));
            Path log = Files.createTempFile("scr-" + name + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            // a test run stopped half way leaves no node behind to join the next run's database
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-" + name));
            SeparateNode node = new SeparateNode(process, port, log);
            node.awaitAnswering();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** The process id, the start of the node's name in the record's tables ({@code <pid>@<host>/...}). */
    public long pid() {
        return process.pid();
    }

    /** Stops the process where it stands, as a hung node: it says and does nothing more until killed. */
    public void freeze() {
        signal("-STOP");
    }

    public void thaw() {
        signal("-CONT");
    }

    /** Kills the process ({@code SIGKILL}): the database sees its connections close and rolls back their work. */
    public void kill() {
        close();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitAnswering() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest metadata = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir/metadata"))
                .timeout(Duration.ofSeconds(10)).build();
        Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The separate node stopped while starting; see " + log);
            }
            try {
                if (http.send(metadata, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        close();
        throw new IllegalStateException("The separate node did not answer within " + STARTUP + "; see " + log);
    }

    private void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The runnable server the build packaged before its integration tests, as deployments run it. */
    private static Path serverJar() {
        try {
            Path classes = Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (var built = Files.list(classes.getParent())) {
                return built.filter(file -> file.getFileName().toString().endsWith("-exec.jar")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("No *-exec.jar beside " + classes
                                + ": run the integration tests through Maven (verify), which packages it first"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
