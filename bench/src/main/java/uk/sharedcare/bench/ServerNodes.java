package uk.sharedcare.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server under test as one or more nodes, each its own JVM over the one PostgreSQL, all in the same mode.
 * Clients are spread over the nodes: request or client {@code i} goes to node {@code i mod n}.
 */
final class ServerNodes implements AutoCloseable {

    private final List<ServerProcess> nodes;
    private final boolean ownsNodes;

    private ServerNodes(List<ServerProcess> nodes, boolean ownsNodes) {
        this.nodes = List.copyOf(nodes);
        this.ownsNodes = ownsNodes;
    }

    /**
     * Starts {@code count} nodes one after another (the first creates or migrates the schema alone), numbered from
     * {@code firstNode}; pinned, node {@code n} runs on core {@code n - 1} (modulo the cores).
     */
    static ServerNodes start(int count, int firstNode, boolean pinned, Path jar, Database database,
            ServerProcess.Mode mode, ServerProcess.Issuer issuer, String heap, Path logDirectory, String label) {
        List<ServerProcess> started = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            for (int node = firstNode; node < firstNode + count; node++) {
                Path log = logDirectory.resolve("server-" + mode.label() + "-" + label + "-node" + node + ".log");
                started.add(ServerProcess.start(jar, database, mode, issuer, heap, log,
                        pinned ? java.util.OptionalInt.of((node - 1) % cores) : java.util.OptionalInt.empty()));
            }
            return new ServerNodes(started, true);
        } catch (RuntimeException e) {
            started.forEach(ServerProcess::close);
            throw e;
        }
    }

    /** These nodes and {@code others} as one cluster; closing it closes neither (their owners do). */
    ServerNodes with(ServerNodes others) {
        List<ServerProcess> all = new ArrayList<>(nodes);
        all.addAll(others.nodes);
        return new ServerNodes(all, false);
    }

    int count() {
        return nodes.size();
    }

    /** The base URL a client or request numbered {@code i} uses. */
    String baseUrlFor(long i) {
        return nodes.get((int) Math.floorMod(i, (long) nodes.size())).baseUrl();
    }

    ServerProcess first() {
        return nodes.get(0);
    }

    /** CPU time of all the nodes' JVMs together. */
    Duration cpuTime() {
        return nodes.stream().map(ServerProcess::cpuTime).reduce(Duration.ZERO, Duration::plus);
    }

    /** Each node's memory, in node order. */
    List<ServerProcess.Memory> memory() {
        return nodes.stream().map(ServerProcess::memory).toList();
    }

    @Override
    public void close() {
        if (ownsNodes) {
            nodes.forEach(ServerProcess::close);
        }
    }
}
