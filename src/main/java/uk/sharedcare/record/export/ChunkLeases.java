package uk.sharedcare.record.export;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Which node works on which of the extracts' batch2 work chunks, and when it last said it was still at it: a
 * table of the record's own beside batch2's {@code BT2_WORK_CHUNK}, shared by every node. A chunk is taken by
 * inserting its lease (one node wins) or, once its node has gone quiet, by moving the lease to another node
 * (one node wins that too). The reducer of a run holds a lease of its own, keyed {@code assemble:<instance>}.
 */
final class ChunkLeases {

    static final String TABLE = "SCR_EXTRACT_CHUNK_LEASE";
    private static final String REDUCER = "assemble:";
    private static final String UNFINISHED_CHUNK = "('QUEUED', 'IN_PROGRESS', 'ERRORED')";

    private final JdbcTemplate jdbc;

    ChunkLeases(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE + " (CHUNK_ID varchar(120) primary key,"
                + " INSTANCE_ID varchar(100) not null, STEP_ID varchar(100) not null, NODE varchar(200) not null,"
                + " TRIES int not null, CLAIMED_AT timestamp not null, HEARTBEAT timestamp not null,"
                + " FINISHED_AT timestamp)");
        jdbc.execute("create index if not exists IDX_SCR_CHUNK_LEASE_NODE on " + TABLE + " (NODE, FINISHED_AT)");
    }

    /**
     * A chunk any node may take.
     *
     * @param heldBy the node whose lease went stale, if the chunk had one
     */
    record Claimable(String chunkId, String instanceId, String stepId, int definitionVersion,
            Optional<String> heldBy) {}

    /**
     * Chunks of the job's running instances that batch2 has queued and no live node holds: never taken, taken
     * by a node that has since gone quiet, or handed back after an error. Oldest run first, in chunk order.
     */
    List<Claimable> claimable(String definitionId, int limit, Instant quietSince) {
        return jdbc.query("select c.ID, c.INSTANCE_ID, c.TGT_STEP_ID, c.DEFINITION_VER, l.NODE"
                        + " from BT2_JOB_INSTANCE i join BT2_WORK_CHUNK c on c.INSTANCE_ID = i.ID"
                        + " left join " + TABLE + " l on l.CHUNK_ID = c.ID"
                        + " where i.DEFINITION_ID = ? and i.STAT in ('QUEUED', 'IN_PROGRESS', 'ERRORED')"
                        + " and i.JOB_CANCELLED = false and c.STAT in " + UNFINISHED_CHUNK
                        + " and (l.CHUNK_ID is null or (l.FINISHED_AT is null and l.HEARTBEAT < ?))"
                        + " order by i.CREATE_TIME, c.SEQ fetch first " + limit + " rows only",
                (row, n) -> new Claimable(row.getString(1), row.getString(2), row.getString(3), row.getInt(4),
                        Optional.ofNullable(row.getString(5))),
                definitionId, Timestamp.from(quietSince));
    }

    /** Takes the chunk for {@code node}: true for the one node that gets it. */
    boolean claim(Claimable chunk, String node, Instant now, Instant quietSince) {
        if (chunk.heldBy().isPresent()) {
            return takeOver(chunk.chunkId(), node, now, quietSince);
        }
        return insert(chunk.chunkId(), chunk.instanceId(), chunk.stepId(), node, now);
    }

    /** This node is still at every lease it holds. */
    void heartbeat(String node, Instant now) {
        jdbc.update("update " + TABLE + " set HEARTBEAT = ? where NODE = ? and FINISHED_AT is null",
                Timestamp.from(now), node);
    }

    void finished(String chunkId, String node, Instant now) {
        jdbc.update("update " + TABLE + " set FINISHED_AT = ? where CHUNK_ID = ? and NODE = ?",
                Timestamp.from(now), chunkId, node);
    }

    /** Hands a chunk back (its try failed, or this node is stopping), for any node to take again. */
    void release(String chunkId, String node) {
        jdbc.update("delete from " + TABLE + " where CHUNK_ID = ? and NODE = ? and FINISHED_AT is null", chunkId,
                node);
    }

    /** Makes every lease this node holds look quiet at once (it is stopping), for other nodes to take over. */
    void releaseAll(String node) {
        jdbc.update("update " + TABLE + " set HEARTBEAT = ? where NODE = ? and FINISHED_AT is null",
                Timestamp.from(Instant.EPOCH), node);
    }

    Optional<String> chunkStatus(String chunkId) {
        return jdbc.queryForList("select STAT from BT2_WORK_CHUNK where ID = ?", String.class, chunkId).stream()
                .findFirst();
    }

    /** The reducer of {@code instanceId} runs on {@code node}. */
    void holdReducer(String instanceId, String node, Instant now) {
        String id = REDUCER + instanceId;
        if (jdbc.update("update " + TABLE + " set NODE = ?, HEARTBEAT = ? where CHUNK_ID = ?", node,
                Timestamp.from(now), id) == 0 && !insert(id, instanceId, "assemble", node, now)) {
            holdReducer(instanceId, node, now); // started at the same moment elsewhere: take it over
        }
    }

    void reducerFinished(String instanceId, String node, Instant now) {
        finished(REDUCER + instanceId, node, now);
    }

    /** Runs of the job whose reducer started (batch2's FINALIZE) on a node that has since gone quiet. */
    List<String> abandonedReducers(String definitionId, Instant quietSince) {
        return jdbc.queryForList("select i.ID from BT2_JOB_INSTANCE i join " + TABLE + " l on l.CHUNK_ID = ? || i.ID"
                        + " where i.DEFINITION_ID = ? and i.STAT = 'FINALIZE' and l.FINISHED_AT is null"
                        + " and l.HEARTBEAT < ?", String.class, REDUCER, definitionId, Timestamp.from(quietSince));
    }

    /**
     * Takes over a quiet node's reducer: the run goes back from batch2's FINALIZE to IN_PROGRESS, so the next
     * maintenance pass starts its reducer again over the same chunk outcomes. True for the one node that does.
     */
    boolean takeOverReducer(String instanceId, String node, Instant now, Instant quietSince) {
        return takeOver(REDUCER + instanceId, node, now, quietSince)
                && jdbc.update("update BT2_JOB_INSTANCE set STAT = 'IN_PROGRESS' where ID = ? and STAT = 'FINALIZE'",
                        instanceId) == 1;
    }

    /**
     * Leases claimed before {@code before}: kept that long to show which node did what (a dead node's last lease
     * of a chunk it had finished is never marked finished, so age alone decides).
     */
    int purgeClaimedBefore(Instant before) {
        return jdbc.update("delete from " + TABLE + " where CLAIMED_AT < ?", Timestamp.from(before));
    }

    /** A new lease on its first try: true for the one node whose insert wins. */
    private boolean insert(String leaseId, String instanceId, String stepId, String node, Instant now) {
        try {
            jdbc.update("insert into " + TABLE + " (CHUNK_ID, INSTANCE_ID, STEP_ID, NODE, TRIES, CLAIMED_AT,"
                    + " HEARTBEAT) values (?, ?, ?, ?, 1, ?, ?)", leaseId, instanceId, stepId, node,
                    Timestamp.from(now), Timestamp.from(now));
            return true;
        } catch (DuplicateKeyException anotherNodeHasIt) {
            return false;
        }
    }

    private boolean takeOver(String leaseId, String node, Instant now, Instant quietSince) {
        return jdbc.update("update " + TABLE + " set NODE = ?, TRIES = TRIES + 1, CLAIMED_AT = ?, HEARTBEAT = ?"
                        + " where CHUNK_ID = ? and FINISHED_AT is null and HEARTBEAT < ?", node, Timestamp.from(now),
                Timestamp.from(now), leaseId, Timestamp.from(quietSince)) == 1;
    }
}
