package uk.sharedcare.bench;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything measured at one population size. Memory lists hold one entry per node. Lists and the ceiling may be
 * empty or null in results written by older versions of the benchmark.
 *
 * @param pluginOff closed-loop results, plain HAPI
 * @param pluginOn closed-loop results, plugin on
 * @param openPluginOff open-loop (fixed arrival rate) results, plain HAPI
 * @param openPluginOn open-loop results, plugin on
 * @param auditCeiling the ceiling of audited requests on the plugin-on nodes, null if not measured
 * @param ledgerCeiling the audit ledger's own append ceiling, null if not measured
 * @param extractPluginOn the record's monthly extract of everyone, timed; null if not measured
 * @param extractPluginOff HAPI's own {@code $export} of the same types, plugin off; null if not measured
 * @param extractPluginOnMoreNodes the record's extract again, with more nodes sharing it; null if not measured
 */
record ScaleResult(int patients, int nodes, PopulationLoader.LoadTiming load,
        List<ServerProcess.Memory> memoryAfterLoad, List<ServerProcess.Memory> memoryPluginOn,
        List<ServerProcess.Memory> memoryPluginOff, List<OperationResult> pluginOff, List<OperationResult> pluginOn,
        List<OperationResult> openPluginOff, List<OperationResult> openPluginOn, AuditCeiling.Result auditCeiling,
        LedgerCeiling.Result ledgerCeiling, ExtractTiming.Result extractPluginOn,
        ExtractTiming.Result extractPluginOff, ExtractTiming.Result extractPluginOnMoreNodes) {

    ScaleResult {
        nodes = Math.max(1, nodes);
        memoryAfterLoad = copy(memoryAfterLoad);
        memoryPluginOn = copy(memoryPluginOn);
        memoryPluginOff = copy(memoryPluginOff);
        pluginOff = copy(pluginOff);
        pluginOn = copy(pluginOn);
        openPluginOff = copy(openPluginOff);
        openPluginOn = copy(openPluginOn);
    }

    Optional<OperationResult> off(String operation) {
        return find(pluginOff, operation);
    }

    Optional<OperationResult> openOff(String operation) {
        return find(openPluginOff, operation);
    }

    Optional<OperationResult> openOn(String operation) {
        return find(openPluginOn, operation);
    }

    /** The largest resident set of any node, plugin on, at any reading. */
    long largestRssMiBPluginOn() {
        return Stream.concat(memoryAfterLoad.stream(), memoryPluginOn.stream())
                .mapToLong(ServerProcess.Memory::rssMiB).max().orElse(0);
    }

    private static Optional<OperationResult> find(List<OperationResult> results, String operation) {
        return results.stream().filter(r -> r.operation().equals(operation)).findFirst();
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
