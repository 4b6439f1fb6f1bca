package uk.sharedcare.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Threads that each repeat one task until a deadline, counting how many times it completed in all. */
final class UntilDeadline {

    /** One repetition of thread {@code thread}'s task, its {@code n}th. */
    interface Task {
        void run(int thread, long n) throws Exception;
    }

    private UntilDeadline() {}

    static long run(int threads, int seconds, Task task) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong completed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    for (long n = 0; System.nanoTime() < deadline; n++) {
                        task.run(thread, n);
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> each : running) {
                each.get();
            }
            return completed.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
