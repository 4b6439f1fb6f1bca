#!/bin/bash
# Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d), as the postgres OS user, when the
# primary's data directory is first created: a role that may only replicate, a physical replication slot for the
# replica (so the primary keeps the WAL the replica has not yet received), and the pg_hba.conf line that lets that
# role connect for replication. The image's default pg_hba.conf does not cover replication connections.
set -euo pipefail

replication_password=$(< /run/secrets/replication_password)

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=replication_password="$replication_password" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'replication_password';
SELECT pg_create_physical_replication_slot('replica_1');
SQL

echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
