#!/bin/bash
# The streaming replica: on an empty data directory, copy the primary with pg_basebackup (streaming the WAL written
# meanwhile, using the slot primary-init.sh made, and writing standby.signal plus the connection settings), then run
# PostgreSQL as a read-only hot standby. Runs as the postgres OS user (compose.yaml: user: postgres).
set -euo pipefail

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # --write-recovery-conf also keeps this password in primary_conninfo (postgresql.auto.conf), for restarts.
    PGPASSWORD=$(< /run/secrets/replication_password)
    export PGPASSWORD
    pg_basebackup --host="$PRIMARY_HOST" --port=5432 --username=replicator --pgdata="$PGDATA" \
        --wal-method=stream --slot=replica_1 --write-recovery-conf --checkpoint=fast
fi

exec postgres -c hot_standby=on
