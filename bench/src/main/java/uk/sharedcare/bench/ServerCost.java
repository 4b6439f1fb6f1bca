package uk.sharedcare.bench;

import java.util.List;

/**
 * What one measured window cost the servers, in total and per answered request: SQL statements and commits in the
 * shared PostgreSQL (pg_stat_statements, reset just before the window; pg_stat_database) and CPU time of the
 * server JVMs and of PostgreSQL's processes (/proc, through {@link ProcessHandle.Info#totalCpuDuration()}).
 *
 * @param requests answered requests in the window
 * @param sqlStatements statements executed, summed over every node (BEGIN/COMMIT/SET not counted)
 * @param statementEntriesEvicted pg_stat_statements entries dropped in the window; not 0 means an undercount
 * @param commits transactions committed (statistics flushed about once a second, so approximate)
 * @param serverCpuMillis CPU time of the server JVMs (user + system, every thread: request, GC, JIT)
 * @param databaseCpuMillis CPU time of the PostgreSQL postmaster and its backends alive at the end of the window
 *     (a backend that ended inside it is missed; the servers' pools keep theirs)
 * @param topStatements the statements called most in the window, most first (absent from runs before it was read)
 */
record ServerCost(long requests, long sqlStatements, long statementEntriesEvicted, long commits,
        double serverCpuMillis, double databaseCpuMillis, List<TopStatement> topStatements) {

    static final ServerCost NONE = new ServerCost(0, 0, 0, 0, 0, 0, List.of());

    ServerCost {
        topStatements = topStatements == null ? List.of() : List.copyOf(topStatements);
    }

    /** One statement's share of a window: calls over all nodes, mean execution time, its text. */
    record TopStatement(long calls, double meanMillis, String query) {}

    double sqlPerRequest() {
        return perRequest(sqlStatements);
    }

    double commitsPerRequest() {
        return perRequest(commits);
    }

    double serverCpuMillisPerRequest() {
        return perRequest(serverCpuMillis);
    }

    double databaseCpuMillisPerRequest() {
        return perRequest(databaseCpuMillis);
    }

    private double perRequest(double total) {
        return requests == 0 ? 0 : total / requests;
    }
}
