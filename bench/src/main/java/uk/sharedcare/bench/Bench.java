package uk.sharedcare.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import uk.sharedcare.population.BoroughShape;
import uk.sharedcare.population.Population;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * The benchmark of issue 7 ({@code bench/run}): one PostgreSQL, the synthetic borough loaded through the API to
 * each population size in turn, and at each size the same operations measured against the server with the
 * plugin on and then, on the same data, with the plugin off (plain HAPI). Results go to {@code bench/results}.
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // The test identity provider's JWKS endpoint runs on a non-daemon thread: end the JVM explicitly.
        System.exit(status);
    }

    private static void run(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--report")) {
            Report.rewrite(Path.of(args[1]));
            return;
        }
        BenchSettings settings = BenchSettings.parse(args);
        Path jar = Path.of("target/shared-care-record-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Build the server first (./mvnw package -DskipTests): no " + jar);
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(Instant.now().atZone(ZoneOffset.UTC));
        Map<String, Object> run = describe(settings, args, stamp);
        int largest = settings.scales().get(settings.scales().size() - 1);
        Population population = new Population(settings.seed(), BoroughShape.borough().withPatients(largest));
        ServerProcess.Issuer issuer = new ServerProcess.Issuer(TestIdentityProvider.ISSUER,
                TestIdentityProvider.jwksUri());
        LoopbackHttp http = new LoopbackHttp();
        BenchCallers callers = new BenchCallers();
        List<ScaleResult> results = new ArrayList<>();
        try (Database database = Database.start(settings.work().resolve("postgres"))) {
            int loaded = 0;
            for (int scale : settings.scales()) {
                log("Population " + scale + ": loading patients " + loaded + " to " + scale);
                ScaleRun scaleRun = new ScaleRun(settings, jar, database, issuer, http, callers, population);
                results.add(scaleRun.measure(loaded, scale, stamp));
                loaded = scale;
                Report.write(settings.results(), stamp, run, results);
                log("Written " + settings.results().resolve("bench-" + stamp + ".md"));
            }
        }
        System.out.println(Report.markdown(run, results));
    }

    private static Map<String, Object> describe(BenchSettings settings, String[] args, String stamp) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", stamp + " UTC");
        run.put("command", "bench/run " + String.join(" ", args));
        run.put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + memoryOfMachine() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        run.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        run.put("clients", settings.clients());
        run.put("per operation", settings.warmupSeconds() + " s warm-up, then " + settings.seconds()
                + " s measured (at most " + settings.maxRequests() + " requests)");
        run.put("server", "exec jar, -Xmx" + settings.serverHeap() + ", PostgreSQL 16 embedded (zonky), fsync on");
        run.put("seed", settings.seed());
        return run;
    }

    private static String memoryOfMachine() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        } catch (java.io.IOException e) {
            return "memory unknown";
        }
    }

    static void log(String message) {
        System.out.println("[bench " + Instant.now() + "] " + message);
    }

    /** Loading to one population size, then both servers measured on it. */
    private record ScaleRun(BenchSettings settings, Path jar, Database database, ServerProcess.Issuer issuer,
            LoopbackHttp http, BenchCallers callers, Population population) {

        ScaleResult measure(int from, int to, String stamp) throws Exception {
            Measurement measurement = new Measurement(http, settings);
            List<Operation> operations = Workload.operations(population, to);
            PopulationLoader.LoadTiming load;
            ServerProcess.Memory afterLoad;
            ServerProcess.Memory onMemory;
            List<Measurement.Result> on = new ArrayList<>();
            try (ServerProcess server = start(ServerProcess.Mode.PLUGIN_ON, to)) {
                PopulationLoader loader = new PopulationLoader(http, server.baseUrl(), population, callers,
                        settings.loadThreads());
                if (from == 0) {
                    loader.loadDirectory();
                }
                load = loader.load(from, to);
                log(String.format("Loaded %d patients in %.0f s", to - from, load.millis() / 1000.0));
                afterLoad = server.memory();
                for (Operation operation : operations) {
                    on.add(measureOne(measurement, operation, server, ServerProcess.Mode.PLUGIN_ON, to, stamp));
                }
                onMemory = server.memory();
            }
            List<Measurement.Result> off = new ArrayList<>();
            ServerProcess.Memory offMemory;
            try (ServerProcess server = start(ServerProcess.Mode.PLUGIN_OFF, to)) {
                for (Operation operation : operations) {
                    off.add(measureOne(measurement, operation, server, ServerProcess.Mode.PLUGIN_OFF, to, stamp));
                }
                offMemory = server.memory();
            }
            return new ScaleResult(to, load, afterLoad, onMemory, offMemory, off, on);
        }

        private ServerProcess start(ServerProcess.Mode mode, int scale) {
            log("Starting the server, " + mode.label());
            return ServerProcess.start(jar, database, mode, issuer, settings.serverHeap(),
                    settings.work().resolve("server-" + mode.label() + "-" + scale + ".log"));
        }

        private Measurement.Result measureOne(Measurement measurement, Operation operation, ServerProcess server,
                ServerProcess.Mode mode, int scale, String stamp) throws Exception {
            Optional<String> token = mode == ServerProcess.Mode.PLUGIN_OFF ? Optional.empty()
                    : Optional.of(operation.caller() == Operation.Caller.SOCIAL_WORKER ? callers.socialWorker()
                            : callers.trustClinician());
            Thread dumps = mode == ServerProcess.Mode.PLUGIN_ON && settings.profileSamples() > 0
                    ? ThreadDumps.during(server, settings, scale + "-" + slug(operation.name()),
                            settings.work().resolve("profiles-" + stamp))
                    : null;
            Measurement.Result result = measurement.run(operation, mode.label(), server.baseUrl(), token);
            if (dumps != null) {
                dumps.join(60_000);
            }
            log(String.format("%s %s: %.1f req/s, p50 %.1f ms, p95 %.1f ms, answers %s", mode.label(),
                    operation.name(), result.perSecond(), result.p50Millis(), result.p95Millis(), result.statuses()));
            return result;
        }

        private static String slug(String name) {
            return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
        }
    }
}
