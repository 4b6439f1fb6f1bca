package uk.sharedcare.bench;

import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one operation at a fixed arrival rate (open loop): request {@code k} is due at {@code start + k / rate},
 * whatever has been answered, and its latency runs from that due time to its answer, so a stalled server is
 * charged for every request it delayed (no coordinated omission). Requests wait for a free sender in a queue;
 * if the queue holds more than {@link #BACKLOG_SECONDS} of arrivals (all {@link #SENDERS} senders busy and more
 * waiting), the server cannot sustain the rate and the window ends early, marked overloaded: the queued requests
 * are dropped unsent (counted as unanswered) and only those in flight are waited for. Request {@code k} goes to node {@code k mod nodes}.
 */
final class OpenLoop {

    static final double BACKLOG_SECONDS = 0.5;
    /** Enough for 200 requests/s at 300 ms each (Little's law); more only lengthens an overloaded drain. */
    static final int SENDERS = 64;

    private final LoopbackHttp http;
    private final double rate;
    private final int warmupSeconds;
    private final int seconds;
    private final int maxRequests;
    private final long seed;

    OpenLoop(LoopbackHttp http, BenchSettings settings) {
        this.http = http;
        this.rate = settings.rate();
        this.warmupSeconds = settings.warmupSeconds();
        this.seconds = settings.seconds();
        this.maxRequests = settings.maxRequests();
        this.seed = settings.seed();
    }

    OperationResult run(Operation operation, String mode, ServerNodes nodes, Optional<String> token,
            CostMeter meter) throws InterruptedException {
        window(operation, nodes, token, warmupSeconds, 1);
        CostMeter.Started cost = meter.start();
        Window measured = window(operation, nodes, token, seconds, 2);
        long[] latencies = measured.latencies.stream().mapToLong(Long::longValue).toArray();
        ServerCost spent = cost.stop(latencies.length);
        OperationResult.Latencies l = OperationResult.Latencies.of(latencies);
        return new OperationResult(operation.name(), operation.kind(), mode, "open", SENDERS, rate,
                latencies.length, measured.scheduled - latencies.length, measured.overloaded, measured.seconds,
                latencies.length / measured.seconds, l.p50Millis(), l.p95Millis(), l.p99Millis(), l.meanMillis(),
                new TreeMap<>(measured.statuses), spent);
    }

    /** What one window sent and got back. */
    private static final class Window {
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        long scheduled;
        boolean overloaded;
        double seconds;
    }

    private Window window(Operation operation, ServerNodes nodes, Optional<String> token, int windowSeconds,
            int round) throws InterruptedException {
        Window window = new Window();
        SplittableRandom random = new SplittableRandom(seed * 37 + round);
        long requests = Math.min(maxRequests, Math.round(rate * windowSeconds));
        int backlogLimit = (int) Math.max(SENDERS / 2, rate * BACKLOG_SECONDS);
        LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService senders = new ThreadPoolExecutor(SENDERS, SENDERS, 1, TimeUnit.SECONDS, queue, task -> {
            Thread thread = new Thread(task, "open-loop-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long start = System.nanoTime();
        for (long k = 0; k < requests; k++) {
            long due = start + Math.round(k * 1e9 / rate);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (queue.size() > backlogLimit) {
                window.overloaded = true;
                queue.clear(); // due but never sent: counted as unanswered, not waited for
                break;
            }
            String baseUrl = nodes.baseUrlFor(k);
            String patient = operation.randomPatient(random);
            long n = k + 1;
            window.scheduled++;
            senders.execute(() -> {
                LoopbackHttp.Answer answer = operation.request().send(http, baseUrl, token, patient, n);
                window.statuses.merge(answer.status(), 1L, Long::sum);
                window.latencies.add(System.nanoTime() - due);
            });
        }
        senders.shutdown();
        if (!senders.awaitTermination(LoopbackHttp.TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
            senders.shutdownNow();
        }
        window.seconds = (System.nanoTime() - start) / 1e9;
        return window;
    }
}
