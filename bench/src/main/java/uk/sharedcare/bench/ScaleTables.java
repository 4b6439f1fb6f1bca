package uk.sharedcare.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** The markdown tables of one population size: targets, closed loop, open loop, cost, ceiling, loading, memory. */
final class ScaleTables {

    private final ScaleResult scale;
    private final StringBuilder md;

    ScaleTables(ScaleResult scale, StringBuilder md) {
        this.scale = scale;
        this.md = md;
    }

    void all() {
        targets();
        closedLoop();
        openLoop();
        cost();
        topStatements();
        auditCeiling();
        ledgerCeiling();
        extract();
        loadingAndMemory();
    }

    private void targets() {
        md.append("\n### Targets (issue 13)\n\n| target | measured | result |\n| --- | --- | --- |\n");
        for (OperationResult on : scale.pluginOn()) {
            scale.off(on.operation()).ifPresent(off -> {
                double target = Targets.ratioFor(on.kind());
                row(f("%s ≥ %.2f× plain HAPI (closed loop)", on.operation(), target), f("%.2f×", ratio(on, off)),
                        ratio(on, off) >= target);
            });
        }
        scale.pluginOn().stream().filter(r -> r.kind().equals("read")).forEach(read -> {
            scale.openOn(read.operation()).ifPresent(open -> row(
                    f("%s p95 < %.0f ms at %.0f req/s (open loop)", read.operation(), Targets.P95_READ_MILLIS,
                            Targets.P95_READ_AT_RATE),
                    f("%.1f ms at %.0f req/s offered%s", open.p95Millis(), open.offeredPerSecond(),
                            open.overloaded() ? ", overloaded" : ""),
                    open.p95Millis() < Targets.P95_READ_MILLIS && !open.overloaded()
                            && open.offeredPerSecond() >= Targets.P95_READ_AT_RATE));
            if (read.cost() != null) {
                row(f("%s ≤ %.0f SQL statements per request (closed loop)", read.operation(), Targets.SQL_PER_READ),
                        f("%.1f", read.cost().sqlPerRequest()), read.cost().sqlPerRequest() <= Targets.SQL_PER_READ);
            }
        });
        LedgerCeiling.Result ledger = scale.ledgerCeiling();
        if (ledger != null) {
            row(f("audit append ceiling ≥ %,.0f records/s (the ledger alone)", Targets.AUDIT_RECORDS_PER_SECOND),
                    f("%,.0f records/s", ledger.appendedPerSecond()),
                    ledger.appendedPerSecond() >= Targets.AUDIT_RECORDS_PER_SECOND
                            && ledger.stored() == ledger.storedExpected());
        }
        AuditCeiling.Result ceiling = scale.auditCeiling();
        if (ceiling != null) {
            row(f("audited requests ceiling (whole request, for comparison: no target)"),
                    f("%,.0f records/s", ceiling.recordsPerSecond()), true);
        }
        long rss = scale.largestRssMiBPluginOn();
        row(f("RSS < %,d MiB per node, plugin on", Targets.RSS_MIB), f("%,d MiB (largest node, any reading)", rss),
                rss < Targets.RSS_MIB);
    }

    private void row(String target, String measured, boolean met) {
        md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(Targets.met(met))
                .append(" |\n");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private void closedLoop() {
        int clients = scale.pluginOn().isEmpty() ? 0 : scale.pluginOn().get(0).clients();
        md.append("\n### Closed loop: ").append(clients).append(" clients\n\n")
                .append("| operation | plain HAPI req/s | p50 / p95 / p99 ms | plugin on req/s | p50 / p95 / p99 ms"
                        + " | on/off | answers (on) |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (OperationResult on : scale.pluginOn()) {
            Optional<OperationResult> off = scale.off(on.operation());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %s | %s | %s |%n", on.operation(),
                    off.map(r -> String.format(Locale.ROOT, "%.1f", r.perSecond())).orElse("–"),
                    off.map(ScaleTables::latencies).orElse("–"), on.perSecond(), latencies(on),
                    off.map(r -> String.format(Locale.ROOT, "%.2f", ratio(on, r))).orElse("–"), on.statuses()));
        }
    }

    private void openLoop() {
        if (scale.openPluginOn().isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n### Open loop: %.0f requests/s on schedule, latency from the"
                        + " scheduled send%n%n", scale.openPluginOn().get(0).offeredPerSecond()))
                .append("| operation | plain HAPI answered/s | p50 / p95 / p99 ms | plugin on answered/s"
                        + " | p50 / p95 / p99 ms | answers (on) |\n| --- | ---: | ---: | ---: | ---: | --- |\n");
        for (OperationResult on : scale.openPluginOn()) {
            Optional<OperationResult> off = scale.openOff(on.operation());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", on.operation(),
                    off.map(ScaleTables::answered).orElse("–"), off.map(ScaleTables::latencies).orElse("–"),
                    answered(on), latencies(on), on.statuses()));
        }
        md.append(String.format(Locale.ROOT, "%n\"overloaded\": more than %.1f s of arrivals queued behind %d"
                + " busy senders, so the window stopped early and dropped them unsent; its percentiles cover only"
                + " what was answered.%n",
                OpenLoop.BACKLOG_SECONDS, OpenLoop.SENDERS));
    }

    private void cost() {
        if (scale.pluginOn().stream().allMatch(r -> r.cost() == null)) {
            return;
        }
        md.append("\n### Cost per answered request (both loops; SQL from pg_stat_statements, CPU from /proc)\n\n")
                .append("| operation | loop | SQL plain | SQL on | commits plain | commits on | JVM CPU ms plain"
                        + " | JVM CPU ms on | PostgreSQL CPU ms plain | PostgreSQL CPU ms on |\n")
                .append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        costRows(scale.pluginOn(), scale::off);
        costRows(scale.openPluginOn(), scale::openOff);
    }

    private void costRows(List<OperationResult> onResults, Function<String, Optional<OperationResult>> offOf) {
        for (OperationResult on : onResults) {
            if (on.cost() == null) {
                continue;
            }
            ServerCost off = offOf.apply(on.operation()).map(OperationResult::cost).orElse(ServerCost.NONE);
            ServerCost cost = on.cost();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f%s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    on.operation(), on.loop(), off.sqlPerRequest(), cost.sqlPerRequest(),
                    cost.statementEntriesEvicted() + off.statementEntriesEvicted() > 0 ? " (undercount)" : "",
                    off.commitsPerRequest(), cost.commitsPerRequest(), off.serverCpuMillisPerRequest(),
                    cost.serverCpuMillisPerRequest(), off.databaseCpuMillisPerRequest(),
                    cost.databaseCpuMillisPerRequest()));
        }
    }

    /** Where the plugin-on server's SQL went, closed loop: the statements each operation called most. */
    private void topStatements() {
        if (scale.pluginOn().stream().allMatch(r -> r.cost() == null || r.cost().topStatements().isEmpty())) {
            return;
        }
        md.append("\n### Where the SQL goes: plugin on, closed loop, statements called most\n\n")
                .append("| operation | calls per request | mean ms | statement |\n| --- | ---: | ---: | --- |\n");
        for (OperationResult on : scale.pluginOn()) {
            if (on.cost() == null) {
                continue;
            }
            for (ServerCost.TopStatement top : on.cost().topStatements()) {
                md.append(String.format(Locale.ROOT, "| %s | %.2f | %.3f | `%s` |%n", on.operation(),
                        on.cost().requests() == 0 ? 0.0 : (double) top.calls() / on.cost().requests(),
                        top.meanMillis(), top.query().replace("|", "\\|").replace("`", "'")));
            }
        }
    }

    private void auditCeiling() {
        AuditCeiling.Result c = scale.auditCeiling();
        if (c == null) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n### Audited requests ceiling%n%n**%,.0f audit records/s** stored"
                        + " (%,d records counted in the database in %.1f s, %.2f per request) with %d clients"
                        + " reading an Organization on the plugin-on node(s); %.1f SQL statements, %.2f commits and"
                        + " %.2f ms JVM CPU per request; answers %s.%n", c.recordsPerSecond(), c.recordsStored(),
                c.seconds(), c.recordsPerRequest(), c.clients(), c.cost().sqlPerRequest(),
                c.cost().commitsPerRequest(), c.cost().serverCpuMillisPerRequest(), c.statuses()));
    }

    private void ledgerCeiling() {
        LedgerCeiling.Result l = scale.ledgerCeiling();
        if (l == null) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n### Audit ledger append ceiling%n%n**%,.0f audit records/s**"
                        + " appended by the record's AuditTrail and AuditLedger alone (%,d in %.1f s, %d threads each"
                        + " encoding and digesting its own event, %.1f ms mean from append to commit), on a database"
                        + " of their own on the same PostgreSQL; %,d rows stored of %,d answered%s.%n",
                l.appendedPerSecond(), l.appended(), l.seconds(), l.threads(), l.meanMillis(), l.stored(),
                l.storedExpected(), l.stored() == l.storedExpected() ? "" : " (**mismatch**)"));
    }

    /** Issue 16's targets: the record's extract of everyone, against HAPI's own {@code $export} of the same. */
    private void extract() {
        ExtractTiming.Result on = scale.extractPluginOn();
        ExtractTiming.Result off = scale.extractPluginOff();
        ExtractTiming.Result more = scale.extractPluginOnMoreNodes();
        if (on == null && off == null) {
            return;
        }
        md.append("\n### The month's extract (issue 16)\n\n| export | nodes | seconds | patients/s | resources | files"
                + " | RSS MiB | outcome |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (ExtractTiming.Result r : java.util.stream.Stream.of(on, more, off).filter(java.util.Objects::nonNull)
                .toList()) {
            md.append(f("| %s | %d | %.1f | %.0f | %s | %d | %,d | %s |%n", r.mode().equals("plugin-on")
                            ? "the record's pseudonymised extract" : "HAPI's own $export (plugin off)", r.nodes(),
                    r.seconds(), r.patientsPerSecond(), r.resources() < 0 ? "not counted" : f("%,d", r.resources()),
                    r.files(), r.rssMiB(), r.outcome()));
        }
        if (on != null && on.outcome().equals("complete")) {
            md.append('\n').append("| target | measured | result |\n| --- | --- | --- |\n");
            row(f("extract ≥ %.0f patients/s (under 6 minutes at 175,000)", Targets.EXTRACT_PATIENTS_PER_SECOND),
                    f("%.0f patients/s", on.patientsPerSecond()),
                    on.patientsPerSecond() >= Targets.EXTRACT_PATIENTS_PER_SECOND);
            if (off != null && off.outcome().equals("complete")) {
                row("extract at least as fast as HAPI's own $export", f("%.2f× (%.1f s against %.1f s)",
                        off.seconds() / on.seconds(), on.seconds(), off.seconds()), on.seconds() <= off.seconds());
            }
            row(f("RSS < %,d MiB during the extract", Targets.RSS_MIB), f("%,d MiB", on.rssMiB()),
                    on.rssMiB() < Targets.RSS_MIB);
            if (more != null && more.outcome().equals("complete")) {
                row(f("%d nodes at least %.1f× as fast as one", more.nodes(), Targets.EXTRACT_TWO_NODE_SPEEDUP),
                        f("%.2f× (%.1f s against %.1f s)", on.seconds() / more.seconds(), more.seconds(),
                                on.seconds()), on.seconds() / more.seconds() >= Targets.EXTRACT_TWO_NODE_SPEEDUP);
            }
        }
    }

    private void loadingAndMemory() {
        PopulationLoader.LoadTiming load = scale.load();
        md.append(String.format(Locale.ROOT, "%n### Loading and memory%n%nLoaded patients %,d to %,d (%,d resources)"
                        + " through the plugin-on API in %.0f s: **%.1f s per 1,000 patients**%s.%n",
                load.fromPatient(), load.toPatient(), load.resources(), load.millis() / 1000.0,
                load.secondsPerThousandPatients(), load.loadedEarlier() == 0 ? ""
                        : String.format(Locale.ROOT, " (%,d of them loaded by earlier runs into the kept database,"
                                + " not counted in this time)", load.loadedEarlier())));
        memory("after loading, plugin on", scale.memoryAfterLoad());
        memory("after its measurements, plugin on", scale.memoryPluginOn());
        memory("after its measurements, plugin off", scale.memoryPluginOff());
    }

    private void memory(String when, List<ServerProcess.Memory> nodes) {
        for (int node = 0; node < nodes.size(); node++) {
            ServerProcess.Memory memory = nodes.get(node);
            md.append(String.format(Locale.ROOT, "- Node %d %s: RSS %,d MiB, heap used %,d MiB of %,d MiB"
                    + " committed%n", node + 1, when, memory.rssMiB(), memory.heapUsedMiB(),
                    memory.heapCommittedMiB()));
        }
    }

    /** p50 / p95 ms of every operation at every size, both modes, closed loop. */
    static void latencyBySize(List<ScaleResult> scales, StringBuilder md) {
        md.append("\n## Latency by population size, closed loop (p50 / p95 ms)\n\n| operation | mode |");
        scales.forEach(s -> md.append(String.format(Locale.ROOT, " %,d |", s.patients())));
        md.append("\n| --- | --- |").append(" ---: |".repeat(scales.size())).append('\n');
        for (OperationResult first : scales.get(0).pluginOn()) {
            latencyRow(md, first.operation(), "plain HAPI", scales, ScaleResult::pluginOff);
            latencyRow(md, first.operation(), "plugin on", scales, ScaleResult::pluginOn);
        }
    }

    private static void latencyRow(StringBuilder md, String operation, String mode, List<ScaleResult> scales,
            Function<ScaleResult, List<OperationResult>> results) {
        md.append("| ").append(operation).append(" | ").append(mode).append(" |");
        for (ScaleResult scale : scales) {
            md.append(results.apply(scale).stream().filter(r -> r.operation().equals(operation)).findFirst()
                    .map(r -> String.format(Locale.ROOT, " %.1f / %.1f |", r.p50Millis(), r.p95Millis()))
                    .orElse(" – |"));
        }
        md.append('\n');
    }

    private static double ratio(OperationResult on, OperationResult off) {
        return off.perSecond() == 0 ? 0 : on.perSecond() / off.perSecond();
    }

    private static String latencies(OperationResult r) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", r.p50Millis(), r.p95Millis(), r.p99Millis());
    }

    private static String answered(OperationResult r) {
        return String.format(Locale.ROOT, "%.1f%s", r.perSecond(), r.overloaded() ? " (overloaded)" : "");
    }
}
