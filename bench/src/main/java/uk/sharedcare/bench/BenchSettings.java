package uk.sharedcare.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The benchmark's parameters, from {@code --name value} arguments. Defaults: 10,000 patients, about half an hour
 * on two cores after loading.
 *
 * @param scales population sizes to measure at, ascending; the population grows from one to the next
 * @param clients concurrent clients per measured operation (closed loop)
 * @param rate requests per second of the fixed-arrival-rate (open loop) measurement, over all nodes; 0 skips it
 * @param seconds measured seconds per operation, mode and loop
 * @param warmupSeconds unmeasured seconds before each measurement
 * @param maxRequests bound on the requests of one measurement, whatever the time
 * @param seed the population's seed (and the draw of patients)
 * @param nodes server processes per mode, sharing the one PostgreSQL
 * @param auditClients concurrent clients of the audit append ceiling; 0 skips it
 * @param auditSeconds measured seconds of the audit append ceiling
 * @param loadThreads concurrent writers while loading the population
 * @param loadSlice patients per slice while loading: a slice's bundles go in order on one thread, bigger slices
 *     give fuller bundles (the population caps them at 500 entries)
 * @param serverHeap each server JVM's -Xmx
 * @param profileSamples thread dumps of the plugin-on server taken during each measured operation
 * @param work directory for the database and server logs
 * @param results directory for results JSON and markdown
 * @param extract which of the month's exports are timed: {@code both} (the record's extract, plugin on, and
 *     HAPI's own {@code $export}, plugin off), {@code record} (the record's only) or {@code none}
 * @param extractNodes how many nodes the record's extract is also timed on: with more than one, it is timed on one
 *     node and then again with the others started beside it
 * @param pinNodes whether each server node is confined to one core of its own ({@code taskset}; node n on core
 *     n - 1), to stand for nodes on machines of their own; PostgreSQL and the load driver are not confined
 * @param requests whether the requests are measured ({@code --requests 0}: only loading and the extract)
 * @param keptDatabase a PostgreSQL data directory kept between runs, in which loading resumes where an earlier run
 *     stopped; empty: a fresh database under {@code work}
 */
record BenchSettings(List<Integer> scales, int clients, double rate, int seconds, int warmupSeconds,
        int maxRequests, long seed, int nodes, int auditClients, int auditSeconds, int loadThreads, int loadSlice,
        String serverHeap, int profileSamples, Path work, Path results, String extract, int extractNodes,
        boolean pinNodes, boolean requests, Optional<Path> keptDatabase) {

    private static final Set<String> NAMES = Set.of("scales", "clients", "rate", "seconds", "warmup",
            "max-requests", "seed", "nodes", "audit-clients", "audit-seconds", "load-threads", "load-slice",
            "server-heap", "profile-samples", "work", "results", "extract", "extract-nodes", "pin-nodes",
            "requests", "keep-database");

    private static String extractChoice(String given) {
        if (!Set.of("both", "record", "none").contains(given)) {
            throw new IllegalArgumentException("--extract is both, record or none, not " + given);
        }
        return given;
    }

    boolean timesExtract(ServerProcess.Mode mode) {
        return extract.equals("both") || extract.equals("record") && mode == ServerProcess.Mode.PLUGIN_ON;
    }

    static BenchSettings parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("Arguments come in pairs: --name value");
        }
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || !NAMES.contains(args[i].substring(2))) {
                throw new IllegalArgumentException("Unknown option " + args[i] + "; known: " + NAMES);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        List<Integer> scales = Arrays.stream(given.getOrDefault("scales", "10000").split(","))
                .map(String::trim).map(Integer::parseInt).sorted().toList();
        int seconds = Integer.parseInt(given.getOrDefault("seconds", "20"));
        return new BenchSettings(scales,
                Integer.parseInt(given.getOrDefault("clients", "16")),
                Double.parseDouble(given.getOrDefault("rate", "200")),
                seconds,
                Integer.parseInt(given.getOrDefault("warmup", "5")),
                Integer.parseInt(given.getOrDefault("max-requests", "100000")),
                Long.parseLong(given.getOrDefault("seed", "20261130")),
                Integer.parseInt(given.getOrDefault("nodes", "1")),
                Integer.parseInt(given.getOrDefault("audit-clients", "64")),
                Integer.parseInt(given.getOrDefault("audit-seconds", Integer.toString(seconds))),
                Integer.parseInt(given.getOrDefault("load-threads", "4")),
                Integer.parseInt(given.getOrDefault("load-slice", "2500")),
                given.getOrDefault("server-heap", "1g"),
                Integer.parseInt(given.getOrDefault("profile-samples", "0")),
                Path.of(given.getOrDefault("work", "bench/work")).toAbsolutePath(),
                Path.of(given.getOrDefault("results", "bench/results")).toAbsolutePath(),
                extractChoice(given.getOrDefault("extract", "both")),
                Integer.parseInt(given.getOrDefault("extract-nodes", "1")),
                "1".equals(given.getOrDefault("pin-nodes", "0")),
                !"0".equals(given.getOrDefault("requests", "1")),
                Optional.ofNullable(given.get("keep-database")).map(directory -> Path.of(directory).toAbsolutePath()));
    }
}
