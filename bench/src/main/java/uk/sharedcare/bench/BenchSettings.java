package uk.sharedcare.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's parameters, from {@code --name value} arguments. Defaults finish in minutes on two cores.
 *
 * @param scales population sizes to measure at, ascending; the population grows from one to the next
 * @param clients concurrent clients per measured operation
 * @param seconds measured seconds per operation and mode
 * @param warmupSeconds unmeasured seconds before each measurement
 * @param maxRequests bound on the requests of one measurement, whatever the time
 * @param seed the population's seed
 * @param loadThreads concurrent writers while loading the population
 * @param serverHeap the server JVM's -Xmx
 * @param profileSamples thread dumps of the plugin-on server taken during each measured operation
 * @param work directory for the database and server logs
 * @param results directory for results JSON and markdown
 */
record BenchSettings(List<Integer> scales, int clients, int seconds, int warmupSeconds, int maxRequests, long seed,
        int loadThreads, String serverHeap, int profileSamples, Path work, Path results) {

    static BenchSettings parse(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Expected --name value, got " + args[i]);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("Arguments come in pairs: --name value");
        }
        List<Integer> scales = Arrays.stream(given.getOrDefault("scales", "2000").split(","))
                .map(String::trim).map(Integer::parseInt).sorted().toList();
        return new BenchSettings(scales,
                Integer.parseInt(given.getOrDefault("clients", "16")),
                Integer.parseInt(given.getOrDefault("seconds", "20")),
                Integer.parseInt(given.getOrDefault("warmup", "5")),
                Integer.parseInt(given.getOrDefault("max-requests", "100000")),
                Long.parseLong(given.getOrDefault("seed", "20261130")),
                Integer.parseInt(given.getOrDefault("load-threads", "2")),
                given.getOrDefault("server-heap", "1g"),
                Integer.parseInt(given.getOrDefault("profile-samples", "0")),
                Path.of(given.getOrDefault("work", "bench/work")).toAbsolutePath(),
                Path.of(given.getOrDefault("results", "bench/results")).toAbsolutePath());
    }
}
