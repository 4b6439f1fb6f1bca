package uk.sharedcare.bench;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit append ceiling: how many audit records per second the plugin-on servers can store. Many clients at
 * once (spread over the nodes) send the cheapest request that is still audited, a read of an Organization (no
 * patient, so no sharing policy to evaluate), and the records stored in the window are counted in the database
 * ({@link Database#auditRecordsStored()}), not taken from the answers. Since every answer waits for its record,
 * the ceiling is also bounded by the requests' own cost: the report gives both.
 */
final class AuditCeiling {

    private final LoopbackHttp http;
    private final BenchSettings settings;

    AuditCeiling(LoopbackHttp http, BenchSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    /**
     * @param clients concurrent clients
     * @param requests requests answered in the measured window
     * @param recordsStored audit records stored in the measured window, counted in the database
     * @param recordsPerSecond the ceiling: records stored per second
     * @param recordsPerRequest records per answered request (1 when each audited request gets one record)
     */
    record Result(int clients, double seconds, long requests, long recordsStored, double recordsPerSecond,
            double recordsPerRequest, Map<Integer, Long> statuses, ServerCost cost) {}

    Result run(ServerNodes nodes, Database database, String token, String url, CostMeter meter)
            throws Exception {
        window(nodes, Optional.of(token), url, settings.warmupSeconds(), new ConcurrentHashMap<>());
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        long before = database.auditRecordsStored();
        CostMeter.Started cost = meter.start();
        long start = System.nanoTime();
        long requests = window(nodes, Optional.of(token), url, settings.auditSeconds(), statuses);
        double elapsed = (System.nanoTime() - start) / 1e9;
        ServerCost spent = cost.stop(requests);
        long stored = database.auditRecordsStored() - before;
        return new Result(settings.auditClients(), elapsed, requests, stored, stored / elapsed,
                requests == 0 ? 0 : (double) stored / requests, new TreeMap<>(statuses), spent);
    }

    private long window(ServerNodes nodes, Optional<String> token, String path, int seconds,
            Map<Integer, Long> statuses) throws Exception {
        return UntilDeadline.run(settings.auditClients(), seconds, (client, n) ->
                statuses.merge(http.get(nodes.baseUrlFor(client) + path, token).status(), 1L, Long::sum));
    }
}
