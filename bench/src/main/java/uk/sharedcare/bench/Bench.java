package uk.sharedcare.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /** A bound, so that a stuck delivery cannot hold the benchmark up for ever; the wait is logged. */
    private static final Duration ALERT_DRAIN_LIMIT = Duration.ofMinutes(30);

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
        Files.createDirectories(settings.work());
        try (Database database = settings.keptDatabase().isPresent()
                ? Database.start(settings.keptDatabase().get(), true)
                : Database.start(settings.work().resolve("postgres"))) {
            run.put("database", database.durability() + ", pg_stat_statements");
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
        run.put("closed loop", settings.clients() + " clients, each sending when answered");
        run.put("open loop", settings.rate() > 0 ? settings.rate() + " requests/s on schedule, latency from the"
                + " scheduled send time" : "not run");
        run.put("per operation", settings.warmupSeconds() + " s warm-up, then " + settings.seconds()
                + " s measured (at most " + settings.maxRequests() + " requests), per loop and mode");
        run.put("audit ceiling", settings.auditClients() > 0 ? settings.auditClients() + " clients, "
                + settings.auditSeconds() + " s, records counted by `" + Database.AUDIT_RECORDS_STORED + "`"
                : "not run");
        run.put("server", settings.nodes() + " node(s) per mode, each an exec jar with -Xmx" + settings.serverHeap()
                + (settings.pinNodes() ? ", each confined to a core of its own (taskset; node n on core n - 1)" : "")
                + ", over one embedded PostgreSQL (zonky)");
        run.put("requests", "GETs with Cache-Control: no-cache to both servers; patients drawn at random from every"
                + " loaded patient who fits the operation");
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
            List<Operation> operations = Workload.operations(population, to);
            log(operations.stream().map(o -> o.name() + ": " + o.patients().size() + " patients")
                    .collect(java.util.stream.Collectors.joining(", ", "Drawing from ", "")));
            PopulationLoader.LoadTiming load;
            List<ServerProcess.Memory> afterLoad;
            Measured on;
            ExtractTiming.Result extractOn;
            ExtractTiming.Result extractOnMoreNodes;
            try (ServerNodes nodes = start(ServerProcess.Mode.PLUGIN_ON, to, "")) {
                PopulationLoader loader = new PopulationLoader(http, nodes, population, callers, settings,
                        database);
                if (from == 0) {
                    loader.loadDirectory();
                }
                load = loader.load(from, to);
                log(String.format("Loaded %d patients in %.0f s", to - from - load.loadedEarlier(),
                        load.millis() / 1000.0));
                afterLoad = nodes.memory();
                awaitAlertsDelivered();
                on = measureAll(operations, nodes, ServerProcess.Mode.PLUGIN_ON, to, stamp);
                extractOn = timedExtract(nodes, ServerProcess.Mode.PLUGIN_ON, to);
                extractOnMoreNodes = timedExtractOnMoreNodes(nodes, to);
            }
            Measured off;
            ExtractTiming.Result extractOff;
            try (ServerNodes nodes = start(ServerProcess.Mode.PLUGIN_OFF, to, "")) {
                off = measureAll(operations, nodes, ServerProcess.Mode.PLUGIN_OFF, to, stamp);
                extractOff = timedExtract(nodes, ServerProcess.Mode.PLUGIN_OFF, to);
            }
            AuditCeiling.Result ceiling = settings.auditClients() > 0 ? auditCeilingOrNone(to) : null;
            LedgerCeiling.Result ledgerCeiling = settings.auditClients() > 0 ? ledgerCeilingOrNone() : null;
            return new ScaleResult(to, settings.nodes(), load, afterLoad, on.memory(), off.memory(), off.closed(),
                    on.closed(), off.open(), on.open(), ceiling, ledgerCeiling, extractOn, extractOff,
                    extractOnMoreNodes);
        }

        /**
         * The whole population exported once, after the requests (so the export's load does not touch them): the
         * record's monthly extract for the ICB, or HAPI's own {@code $export} of the same types.
         */
        private ExtractTiming.Result timedExtract(ServerNodes nodes, ServerProcess.Mode mode, int scale) {
            if (!settings.timesExtract(mode)) {
                return null;
            }
            try {
                boolean record = mode == ServerProcess.Mode.PLUGIN_ON;
                ExtractTiming.Result result = new ExtractTiming(http).run(nodes, mode.label(),
                        record ? "/$export?month=" + java.time.YearMonth.now(java.time.ZoneId.of("Europe/London"))
                                : "/$export?_type=" + ExtractTiming.TYPES,
                        record ? Optional.of(callers.commissioner()) : Optional.empty(),
                        record ? Map.of("X-Purpose-Of-Use", "HOPERAT") : Map.of(), scale);
                log(String.format(java.util.Locale.ROOT, "%s extract of %,d patients: %.1f s, %.0f patients/s,"
                                + " %,d resources in %d files, RSS %,d MiB, %s", result.mode(), scale,
                        result.seconds(), result.patientsPerSecond(), result.resources(), result.files(),
                        result.rssMiB(), result.outcome()));
                return result;
            } catch (Exception e) {
                log("The " + mode.label() + " extract could not be timed: " + e);
                return null;
            }
        }

        /**
         * The record's extract again with {@code --extract-nodes} nodes sharing it: the others are started beside
         * the running ones for it, on the same PostgreSQL and extract directory, and stopped after it.
         */
        private ExtractTiming.Result timedExtractOnMoreNodes(ServerNodes nodes, int scale) {
            int more = settings.extractNodes() - nodes.count();
            if (more <= 0 || !settings.timesExtract(ServerProcess.Mode.PLUGIN_ON)) {
                return null;
            }
            try (ServerNodes others = start(ServerProcess.Mode.PLUGIN_ON, more, nodes.count() + 1, scale,
                    "extract")) {
                return timedExtract(nodes.with(others), ServerProcess.Mode.PLUGIN_ON, scale);
            }
        }

        /**
         * Loading makes organisations' first accesses to patients by the thousand, and each owes the practice an
         * alert, which the nodes deliver in the background (a Communication each). Measuring before they are
         * delivered would charge the load's alerts to the first operations measured.
         */
        private void awaitAlertsDelivered() throws InterruptedException {
            long deadline = System.nanoTime() + ALERT_DRAIN_LIMIT.toNanos();
            long waiting;
            while ((waiting = database.alertsWaiting()) > 0 && System.nanoTime() < deadline) {
                log("Waiting for the load's " + waiting + " alerts to be delivered before measuring");
                Thread.sleep(10_000);
            }
            if (waiting > 0) {
                log("Measuring with " + waiting + " alerts still undelivered after " + ALERT_DRAIN_LIMIT);
            }
        }

        /** Both loops' results for every operation in one mode, and the nodes' memory after them. */
        private record Measured(List<OperationResult> closed, List<OperationResult> open,
                List<ServerProcess.Memory> memory) {}

        private Measured measureAll(List<Operation> operations, ServerNodes nodes, ServerProcess.Mode mode,
                int scale, String stamp) throws Exception {
            CostMeter meter = new CostMeter(database, nodes);
            List<OperationResult> closed = new ArrayList<>();
            if (!settings.requests()) {
                return new Measured(closed, List.of(), nodes.memory());
            }
            for (Operation operation : operations) {
                Thread dumps = mode == ServerProcess.Mode.PLUGIN_ON && settings.profileSamples() > 0
                        ? ThreadDumps.during(nodes.first(), settings, scale + "-" + slug(operation.name()),
                                settings.work().resolve("profiles-" + stamp))
                        : null;
                closed.add(logged(new ClosedLoop(http, settings).run(operation, mode.label(), nodes,
                        tokenFor(operation, mode), meter)));
                if (dumps != null) {
                    dumps.join(60_000);
                }
            }
            List<OperationResult> open = new ArrayList<>();
            if (settings.rate() > 0) {
                for (Operation operation : operations) {
                    open.add(logged(new OpenLoop(http, settings).run(operation, mode.label(), nodes,
                            tokenFor(operation, mode), meter)));
                }
            }
            return new Measured(closed, open, nodes.memory());
        }

        /** The ceiling, or none if it could not be measured: the measurements before it are kept either way. */
        private AuditCeiling.Result auditCeilingOrNone(int scale) {
            try {
                return auditCeiling(scale);
            } catch (Exception | Error e) {
                log("The audit append ceiling could not be measured: " + e);
                return null;
            }
        }

        /** With no server running: the ledger alone, in the benchmark's process, on a database of its own. */
        private LedgerCeiling.Result ledgerCeilingOrNone() {
            try {
                LedgerCeiling.Result result = new LedgerCeiling(database, settings).run();
                log(String.format("audit ledger append ceiling: %.0f records/s (%d threads, %d appended, %d stored"
                        + " of %d)", result.appendedPerSecond(), result.threads(), result.appended(), result.stored(),
                        result.storedExpected()));
                return result;
            } catch (Exception | Error e) {
                log("The audit ledger's append ceiling could not be measured: " + e);
                return null;
            }
        }

        /**
         * Last, on plugin-on nodes started afresh, so the records it adds to the trail (today HAPI resources, which
         * slow HAPI's own queries as they grow) come after every other measurement at this size.
         */
        private AuditCeiling.Result auditCeiling(int scale) throws Exception {
            try (ServerNodes nodes = start(ServerProcess.Mode.PLUGIN_ON, scale, "audit-ceiling")) {
                AuditCeiling.Result result = new AuditCeiling(http, settings).run(nodes, database,
                        callers.trustClinician(), Workload.cheapAuditedRead(population),
                        new CostMeter(database, nodes));
                log(String.format("audit append ceiling: %.0f records/s (%.2f per request, %d clients, answers %s)",
                        result.recordsPerSecond(), result.recordsPerRequest(), result.clients(), result.statuses()));
                return result;
            }
        }

        private ServerNodes start(ServerProcess.Mode mode, int scale, String purpose) {
            return start(mode, settings.nodes(), 1, scale, purpose);
        }

        private ServerNodes start(ServerProcess.Mode mode, int count, int firstNode, int scale, String purpose) {
            log("Starting " + count + " server node(s), " + mode.label()
                    + (purpose.isEmpty() ? "" : ", for the " + purpose)
                    + (settings.pinNodes() ? ", each on a core of its own" : ""));
            return ServerNodes.start(count, firstNode, settings.pinNodes(), jar, database, mode, issuer,
                    settings.serverHeap(), settings.work(), scale + (purpose.isEmpty() ? "" : "-" + purpose));
        }

        private Optional<String> tokenFor(Operation operation, ServerProcess.Mode mode) {
            if (mode == ServerProcess.Mode.PLUGIN_OFF) {
                return Optional.empty();
            }
            return Optional.of(operation.caller() == Operation.Caller.SOCIAL_WORKER ? callers.socialWorker()
                    : callers.trustClinician());
        }

        private static OperationResult logged(OperationResult r) {
            ServerCost cost = r.cost();
            log(String.format(java.util.Locale.ROOT, "%s %s loop %s: %.1f req/s%s, p50 %.1f ms, p95 %.1f ms,"
                            + " p99 %.1f ms, %.1f SQL/req, %.2f ms CPU/req, answers %s",
                    r.mode(), r.loop(), r.operation(), r.perSecond(),
                    r.loop().equals("open") ? String.format(java.util.Locale.ROOT, " of %.0f offered%s",
                            r.offeredPerSecond(), r.overloaded() ? " (OVERLOADED)" : "") : "",
                    r.p50Millis(), r.p95Millis(), r.p99Millis(), cost.sqlPerRequest(),
                    cost.serverCpuMillisPerRequest(), r.statuses()));
            return r;
        }

        private static String slug(String name) {
            return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
        }
    }
}
