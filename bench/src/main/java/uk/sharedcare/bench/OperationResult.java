package uk.sharedcare.bench;

import java.util.Arrays;
import java.util.Map;

/**
 * Throughput, latency and cost of one operation in one mode and one loop.
 *
 * @param loop {@code closed} (N clients, each sending when its last request is answered) or {@code open} (requests
 *     sent on a fixed schedule whatever the answers; latency from the scheduled send time)
 * @param clients concurrent clients (closed loop) or the most requests in flight the sender allowed (open loop)
 * @param offeredPerSecond the schedule's rate (open loop; 0 for the closed loop)
 * @param unanswered requests scheduled in the window but not answered in time (open loop)
 * @param overloaded the open loop fell more than its allowed backlog behind the schedule and stopped early: the
 *     server cannot sustain the offered rate, and the percentiles describe only what was answered before
 * @param cost what the window cost the servers; null in results written before it was measured
 */
record OperationResult(String operation, String kind, String mode, String loop, int clients,
        double offeredPerSecond, long requests, long unanswered, boolean overloaded, double seconds,
        double perSecond, double p50Millis, double p95Millis, double p99Millis, double meanMillis,
        Map<Integer, Long> statuses, ServerCost cost) {

    /** Percentiles of latencies in nanoseconds, in milliseconds. */
    record Latencies(double p50Millis, double p95Millis, double p99Millis, double meanMillis) {

        static Latencies of(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Latencies(percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99),
                    Arrays.stream(sorted).average().orElse(0) / 1e6);
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }
}
