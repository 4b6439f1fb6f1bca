package uk.sharedcare.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads what the servers spend around one measured window: {@link #start()} just before it (resets
 * pg_stat_statements), {@link Started#stop(long)} just after, with the number of requests answered in it.
 */
final class CostMeter {

    private static final int TOP_STATEMENTS = 8;

    private final Database database;
    private final ServerNodes nodes;

    CostMeter(Database database, ServerNodes nodes) {
        this.database = database;
        this.nodes = nodes;
    }

    Started start() {
        long commits = database.commits();
        Duration serverCpu = nodes.cpuTime();
        Map<Long, Duration> databaseCpu = databaseCpuByProcess();
        database.resetStatementCounts();
        return new Started(commits, serverCpu, databaseCpu);
    }

    /** The readings taken at the start of a window. */
    final class Started {
        private final long commits;
        private final Duration serverCpu;
        private final Map<Long, Duration> databaseCpu;

        private Started(long commits, Duration serverCpu, Map<Long, Duration> databaseCpu) {
            this.commits = commits;
            this.serverCpu = serverCpu;
            this.databaseCpu = databaseCpu;
        }

        ServerCost stop(long requests) {
            Database.StatementCount statements = database.statementsSinceReset();
            List<ServerCost.TopStatement> top = database.topStatements(TOP_STATEMENTS);
            long commitsNow = database.commits();
            Duration serverCpuNow = nodes.cpuTime();
            Map<Long, Duration> databaseCpuNow = databaseCpuByProcess();
            double databaseMillis = databaseCpuNow.entrySet().stream()
                    .mapToDouble(e -> e.getValue().minus(databaseCpu.getOrDefault(e.getKey(), Duration.ZERO))
                            .toNanos() / 1e6)
                    .sum();
            return new ServerCost(requests, statements.statements(), statements.entriesEvicted(),
                    commitsNow - commits, serverCpuNow.minus(serverCpu).toNanos() / 1e6, databaseMillis, top);
        }
    }

    private Map<Long, Duration> databaseCpuByProcess() {
        Optional<ProcessHandle> postmaster = ProcessHandle.of(database.postmasterPid());
        return postmaster.stream()
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .flatMap(p -> p.info().totalCpuDuration().map(cpu -> Map.entry(p.pid(), cpu)).stream())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    }
}
