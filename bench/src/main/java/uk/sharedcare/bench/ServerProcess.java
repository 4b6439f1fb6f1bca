package uk.sharedcare.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server under test: the build's executable jar in its own JVM, on loopback, over the benchmark's
 * PostgreSQL, with the plugin on (trusting the benchmark's token issuer) or off (plain HAPI, no authentication).
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10); // generous: a busy 2-core machine

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        // A benchmark stopped by a signal leaves no server behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop-server-" + process.pid()));
    }

    /** Starts the server and waits until it answers {@code /fhir/metadata}. */
    static ServerProcess start(Path jar, Database database, Mode mode, Issuer issuer, String heap, Path log,
            java.util.OptionalInt cpu) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        // a node confined to one core stands for a node on a machine of its own (--pin-nodes)
        cpu.ifPresent(core -> command.addAll(List.of("taskset", "-c", Integer.toString(core))));
        command.addAll(List.of(javaHome().resolve("bin/java").toString(), "-Xms" + heap, "-Xmx" + heap));
        if ("1".equals(System.getenv("BENCH_SERVER_JFR"))) {
            // For profiling runs only: a flight recording per server, next to its log, written when it stops.
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + log.resolveSibling(log.getFileName() + ".jfr"));
        }
        command.addAll(List.of("-jar", jar.toString(),
                "--shared-care.enabled=" + (mode == Mode.PLUGIN_ON),
                // one directory per mode, shared by its nodes, as a deployment's nodes share theirs
                "--shared-care.extract.directory=" + log.resolveSibling("extracts-" + mode.label())));
        command.addAll(mode == Mode.PLUGIN_ON ? extractSettings(log) : List.of("--fhir-server.hapi-bulk-export=true"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SPRING_PROFILES_ACTIVE", "postgres");
        env.put("SCR_DB_URL", database.jdbcUrl());
        env.put("SCR_DB_USER", "postgres");
        env.put("SCR_DB_PASSWORD", "postgres");
        env.put("SCR_PORT", Integer.toString(port));
        env.put("SCR_BIND_ADDRESS", "127.0.0.1");
        env.put("SCR_OIDC_ISSUER", issuer.issuer());
        env.put("SCR_OIDC_JWKS_URI", issuer.jwksUri());
        try {
            ServerProcess server = new ServerProcess(builder.start(), port);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ICB's pseudonymisation key and a National Data Opt-out answer of today in which nobody has opted out, so
     * the record's extract runs and leaves nobody out for the opt-out.
     */
    private static List<String> extractSettings(Path log) {
        Path answer = log.resolveSibling(log.getFileName() + ".national-opt-out.csv");
        try {
            Files.writeString(answer, "# checked: " + java.time.LocalDate.now(java.time.ZoneId.of("Europe/London"))
                    + "\n# source: the benchmark (nobody opted out)\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("--shared-care.extract.keys." + BenchCallers.INTEGRATED_CARE_BOARD
                        + "=bench-pseudonymisation-key-not-a-secret",
                "--shared-care.extract.national-opt-out.list=" + answer,
                "--shared-care.extract.national-opt-out.meaning=opted-out");
    }

    /** Whether the shared-care plugin runs. */
    enum Mode {
        PLUGIN_OFF, PLUGIN_ON;

        String label() {
            return this == PLUGIN_ON ? "plugin-on" : "plugin-off";
        }
    }

    /** The token issuer a plugin-on server trusts. */
    record Issuer(String issuer, String jwksUri) {}

    String baseUrl() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the server's JVM has used so far, every thread (user + system, from /proc). */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("No CPU time for the server process " + pid()));
    }

    /** Resident set size from /proc and the Java heap from jcmd, now. */
    Memory memory() {
        long rss = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher heap = HEAP.matcher(jcmd("GC.heap_info"));
        long committed = heap.find() ? Long.parseLong(heap.group(1)) : -1;
        long used = committed >= 0 ? Long.parseLong(heap.group(2)) : -1;
        return new Memory(rss / 1024, used / 1024, committed / 1024);
    }

    /** Memory in MiB: resident set, heap used, heap committed. */
    record Memory(long rssMiB, long heapUsedMiB, long heapCommittedMiB) {}

    String threadDump() {
        return jcmd("Thread.print");
    }

    private String jcmd(String command) {
        try {
            Process jcmd = new ProcessBuilder(javaHome().resolve("bin/jcmd").toString(), Long.toString(pid()),
                    command).redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server stopped while starting; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/metadata"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofSeconds(1));
        }
        close();
        throw new IllegalStateException("The server did not start within " + START_TIMEOUT + "; see " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
