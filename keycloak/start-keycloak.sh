#!/usr/bin/env bash
# Starts a local, loopback-only Keycloak (dev mode) with the shared-care realm imported.
#
#   start-keycloak.sh <KEYCLOAK_HOME> <port> <data_dir>
#
# KEYCLOAK_HOME: an unpacked org.keycloak:keycloak-quarkus-dist zip (26.x).
# data_dir:      where the dev-file database lives; reuse it to keep state across restarts.
# Runs in the foreground (exec): background it and kill its PID to stop it.
# Issuer is pinned to http://127.0.0.1:<port>/realms/shared-care whatever Host header arrives.
# DEMO ONLY: start-dev, HTTP, demo passwords and secrets from shared-care-realm.json.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 <KEYCLOAK_HOME> <port> <data_dir>" >&2
  exit 2
fi
PORT=$2
case "$PORT" in ''|*[!0-9]*) echo "port must be a number: $PORT" >&2; exit 2;; esac
[ -x "$1/bin/kc.sh" ] || { echo "not a Keycloak distribution (no bin/kc.sh): $1" >&2; exit 2; }
KC_HOME=$(cd "$1" && pwd)
DATA_DIR=$(mkdir -p "$3" && cd "$3" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --import-realm reads <KEYCLOAK_HOME>/data/import; a realm that already exists is skipped.
mkdir -p "$KC_HOME/data/import"
cp "$HERE/shared-care-realm.json" "$KC_HOME/data/import/shared-care-realm.json"

# Keycloak 26 runs on Java 17+: keep JAVA_HOME if it is new enough, else take the first JDK >= 17 found.
java_ok() {
  local v
  v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  [ -n "$v" ] && [ "$v" -ge 17 ]
}
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME"; then
  JAVA_HOME=""
  default_java=$(readlink -f "$(command -v java 2>/dev/null || true)" 2>/dev/null || true)
  for j in "${default_java%/bin/java}" /usr/lib/jvm/*; do
    if [ -n "$j" ] && java_ok "$j"; then JAVA_HOME=$j; break; fi
  done
  [ -n "$JAVA_HOME" ] || { echo "no Java 17+ found; set JAVA_HOME" >&2; exit 2; }
fi
export JAVA_HOME

exec "$KC_HOME/bin/kc.sh" start-dev \
  --http-host=127.0.0.1 \
  --http-port="$PORT" \
  --hostname="http://127.0.0.1:$PORT" \
  --hostname-strict=true \
  --http-management-health-enabled=false \
  --health-enabled=true \
  --db=dev-file \
  --db-url="jdbc:h2:file:$DATA_DIR/h2/keycloakdb;NON_KEYWORDS=VALUE;DB_CLOSE_ON_EXIT=FALSE" \
  --import-realm
