package uk.sharedcare.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one operation with N concurrent clients, each sending its next request as soon as the last is answered:
 * an unmeasured warm-up, then a measured window. Bounded twice: by time and by a request count. Client {@code c}
 * talks to node {@code c mod nodes}; each request is about a patient drawn at random from all the operation's.
 */
final class ClosedLoop {

    private final LoopbackHttp http;
    private final int clients;
    private final int warmupSeconds;
    private final int seconds;
    private final int maxRequests;
    private final long seed;

    ClosedLoop(LoopbackHttp http, BenchSettings settings) {
        this.http = http;
        this.clients = settings.clients();
        this.warmupSeconds = settings.warmupSeconds();
        this.seconds = settings.seconds();
        this.maxRequests = settings.maxRequests();
        this.seed = settings.seed();
    }

    OperationResult run(Operation operation, String mode, ServerNodes nodes, Optional<String> token,
            CostMeter meter) throws Exception {
        window(operation, nodes, token, warmupSeconds, new AtomicLong(), new ConcurrentHashMap<>(), 1);
        AtomicLong counter = new AtomicLong();
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        CostMeter.Started cost = meter.start();
        long start = System.nanoTime();
        long[] latencies = window(operation, nodes, token, seconds, counter, statuses, 2);
        double elapsed = (System.nanoTime() - start) / 1e9;
        ServerCost spent = cost.stop(latencies.length);
        OperationResult.Latencies l = OperationResult.Latencies.of(latencies);
        return new OperationResult(operation.name(), operation.kind(), mode, "closed", clients, 0,
                latencies.length, 0, false, elapsed, latencies.length / elapsed, l.p50Millis(), l.p95Millis(),
                l.p99Millis(), l.meanMillis(), new TreeMap<>(statuses), spent);
    }

    private long[] window(Operation operation, ServerNodes nodes, Optional<String> token, int windowSeconds,
            AtomicLong counter, Map<Integer, Long> statuses, int round) throws Exception {
        long deadline = System.nanoTime() + windowSeconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> perClient = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                String baseUrl = nodes.baseUrlFor(client);
                SplittableRandom random = new SplittableRandom(seed * 31 + round * 1_000L + client);
                perClient.add(pool.submit(() -> client(operation, baseUrl, token, random, deadline, counter,
                        statuses)));
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

    private long[] client(Operation operation, String baseUrl, Optional<String> token, SplittableRandom random,
            long deadline, AtomicLong counter, Map<Integer, Long> statuses) {
        long[] latencies = new long[1024];
        int count = 0;
        while (System.nanoTime() < deadline) {
            long n = counter.incrementAndGet();
            if (n > maxRequests) {
                break;
            }
            LoopbackHttp.Answer answer = operation.request().send(http, baseUrl, token,
                    operation.randomPatient(random), n);
            statuses.merge(answer.status(), 1L, Long::sum);
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = answer.nanos();
        }
        return Arrays.copyOf(latencies, count);
    }
}
