#!/bin/bash
# The streaming replica: on an empty data directory, copy the primary with pg_basebackup (streaming the WAL written
# meanwhile, using the slot primary-init.sh made, and writing standby.signal plus the connection settings), then run
# PostgreSQL as a read-only hot standby. Runs as the postgres OS user (compose.yaml: user: postgres).
set -euo pipefail

# Also in the server's environment: its WAL receiver connects through libpq, which reads PGPASSWORD.
PGPASSWORD=$(< /run/secrets/replication_password)
export PGPASSWORD

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pg_basebackup --host="$PRIMARY_HOST" --port=5432 --username=replicator --pgdata="$PGDATA" \
        --wal-method=stream --slot=replica_1 --write-recovery-conf --checkpoint=fast
fi

exec postgres -c hot_standby=on
