package uk.sharedcare.bench;

/**
 * The targets of issue 13, reported (never failing the build): the plugin-on server against plain HAPI on the
 * same data, by kind of operation, and its absolute limits.
 */
final class Targets {

    static final double READ_RATIO = 0.85;
    static final double SEARCH_RATIO = 0.75;
    static final double EVERYTHING_RATIO = 0.85;
    static final double WRITE_RATIO = 0.75;
    static final double P95_READ_MILLIS = 20;
    static final double P95_READ_AT_RATE = 200;
    static final double SQL_PER_READ = 6;
    static final double AUDIT_RECORDS_PER_SECOND = 5_000;
    static final long RSS_MIB = 2_048;
    /** Issue 16: the month's extract of 175,000 patients in under six minutes on one node. */
    static final double EXTRACT_PATIENTS_PER_SECOND = 500;

    /** Issue 16: two nodes on one PostgreSQL extract at least this many times as fast as one. */
    static final double EXTRACT_TWO_NODE_SPEEDUP = 1.6;

    private Targets() {}

    /** The least throughput ratio (plugin on / plain HAPI) for a kind of operation. */
    static double ratioFor(String kind) {
        return switch (kind) {
            case "read" -> READ_RATIO;
            case "search" -> SEARCH_RATIO;
            case "everything" -> EVERYTHING_RATIO;
            case "write" -> WRITE_RATIO;
            default -> throw new IllegalArgumentException("No target for operations of kind " + kind);
        };
    }

    static String met(boolean met) {
        return met ? "met" : "**missed**";
    }
}
