package uk.sharedcare.bench;

import java.util.List;

/** Everything measured at one population size. */
record ScaleResult(int patients, PopulationLoader.LoadTiming load, ServerProcess.Memory memoryAfterLoad,
        ServerProcess.Memory memoryPluginOn, ServerProcess.Memory memoryPluginOff,
        List<Measurement.Result> pluginOff, List<Measurement.Result> pluginOn) {

    ScaleResult {
        pluginOff = List.copyOf(pluginOff);
        pluginOn = List.copyOf(pluginOn);
    }

    Measurement.Result off(String operation) {
        return pluginOff.stream().filter(r -> r.operation().equals(operation)).findFirst().orElseThrow();
    }
}
