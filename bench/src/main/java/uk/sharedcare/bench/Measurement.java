package uk.sharedcare.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one operation with N concurrent clients, each sending its next request as soon as the last is answered:
 * an unmeasured warm-up, then a measured window. Bounded twice: by time and by a request count.
 */
final class Measurement {

    private final LoopbackHttp http;
    private final int clients;
    private final int warmupSeconds;
    private final int seconds;
    private final int maxRequests;

    Measurement(LoopbackHttp http, BenchSettings settings) {
        this.http = http;
        this.clients = settings.clients();
        this.warmupSeconds = settings.warmupSeconds();
        this.seconds = settings.seconds();
        this.maxRequests = settings.maxRequests();
    }

    /** Throughput and latency of one operation in one mode. */
    record Result(String operation, String kind, String mode, int clients, long requests, double seconds,
            double perSecond, double p50Millis, double p95Millis, double p99Millis, double meanMillis,
            Map<Integer, Long> statuses) {}

    Result run(Operation operation, String mode, String baseUrl, Optional<String> token) throws Exception {
        window(operation, baseUrl, token, warmupSeconds, new AtomicLong(), new ConcurrentHashMap<>());
        AtomicLong counter = new AtomicLong();
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long[] latencies = window(operation, baseUrl, token, seconds, counter, statuses);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        return new Result(operation.name(), operation.kind(), mode, clients, latencies.length, elapsed,
                latencies.length / elapsed, percentile(latencies, 0.50), percentile(latencies, 0.95),
                percentile(latencies, 0.99), Arrays.stream(latencies).average().orElse(0) / 1e6,
                new TreeMap<>(statuses));
    }

    private long[] window(Operation operation, String baseUrl, Optional<String> token, int windowSeconds,
            AtomicLong counter, Map<Integer, Long> statuses) throws Exception {
        long deadline = System.nanoTime() + windowSeconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> perClient = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                int first = client;
                perClient.add(pool.submit(() -> client(operation, baseUrl, token, first, deadline, counter, statuses)));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> one : perClient) {
                all.add(one.get());
            }
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            pool.shutdownNow();
        }
    }

    private long[] client(Operation operation, String baseUrl, Optional<String> token, int client, long deadline,
            AtomicLong counter, Map<Integer, Long> statuses) {
        List<String> patients = operation.patients();
        long[] latencies = new long[1024];
        int count = 0;
        for (int i = client; System.nanoTime() < deadline; i += clients) {
            long n = counter.incrementAndGet();
            if (n > maxRequests) {
                break;
            }
            LoopbackHttp.Answer answer = operation.request().send(http, baseUrl, token,
                    patients.get(Math.floorMod(i * 7919, patients.size())), n);
            statuses.merge(answer.status(), 1L, Long::sum);
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = answer.nanos();
        }
        return Arrays.copyOf(latencies, count);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
