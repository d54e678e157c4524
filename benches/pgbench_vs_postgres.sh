#!/usr/bin/env bash
# pgbench against pgtenant and a throwaway PostgreSQL 15, in one run, same
# machine, same data, same clients; prints both tps and the ratio.
#
#   benches/pgbench_vs_postgres.sh [seconds per run] [clients] [script]
#
# script: "select-only" (default: pgbench -S) or "tpcb" (the default TPC-B-like
# script). Each script runs with -M simple and -M prepared.
# Both sides are loaded with `pgbench -i`; row counts are compared.
# PGTENANT_CONFIG=file: serve pgtenant with that config file (e.g. to compare
# `group_commit = false`); --listen and --data still come from here.
set -euo pipefail

DURATION=${1:-10}
CLIENTS=${2:-4}
SCRIPT=${3:-select-only}
THREADS=2
SCALE=1
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/pgtenant-bench.XXXXXX)
chmod 755 "$WORK"
# PostgreSQL runs as the postgres user when we are root: it must own its folder.
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
PG_PORT=${PG_PORT:-55433}
PGT_PORT=${PGT_PORT:-56543}

cleanup() {
    [ -n "${PGT_PID:-}" ] && kill "$PGT_PID" 2>/dev/null || true
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: use the postgres system user then.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

echo "== building pgtenant (release)"
(cd "$ROOT" && cargo build --release --quiet)

echo "== starting PostgreSQL 15 on port $PG_PORT"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U bench --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" \
    -l "$WORK/pg/server.log" -w start >/dev/null
PGURL="host=127.0.0.1 port=$PG_PORT user=bench dbname=postgres"

echo "== starting pgtenant on port $PGT_PORT"
PGTENANT_ADMIN_PASSWORD=benchadmin "$ROOT/target/release/pgtenant" serve \
    ${PGTENANT_CONFIG:+--config "$PGTENANT_CONFIG"} \
    --listen "127.0.0.1:$PGT_PORT" --data "$WORK/pgt" --log-level warn 2>"$WORK/pgt.log" &
PGT_PID=$!
for _ in $(seq 50); do
    PGPASSWORD=benchadmin psql -X -q "host=127.0.0.1 port=$PGT_PORT user=pgtenant dbname=pgtenant" \
        -c "select 1" >/dev/null 2>&1 && break
    sleep 0.1
done
PGPASSWORD=benchadmin psql -X -q "host=127.0.0.1 port=$PGT_PORT user=pgtenant dbname=pgtenant" \
    -c "SELECT * FROM pgtenant.create_tenant('bench', plan => 'enterprise')" \
    -c "SELECT * FROM pgtenant.create_user('bench', 'bench', 'benchpw')" >/dev/null
export PGPASSWORD=benchpw
PGTURL="host=127.0.0.1 port=$PGT_PORT user=bench@bench dbname=app"

echo "== loading pgbench tables (scale $SCALE)"
pgbench -q -i -s "$SCALE" "$PGURL" >/dev/null 2>&1
# pgtenant loads through pgbench's own full initialization (COPY ... FREEZE, VACUUM, primary keys).
start=$(date +%s.%N)
pgbench -q -i -s "$SCALE" "$PGTURL" >/dev/null 2>"$WORK/pgt-init.log" ||
    { cat "$WORK/pgt-init.log" >&2; exit 1; }
echo "   pgtenant pgbench -i: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
for t in pgbench_branches pgbench_tellers pgbench_accounts; do
    a=$(psql -X -At "$PGURL" -c "select count(*) from $t")
    b=$(psql -X -At "$PGTURL" -c "select count(*) from $t")
    [ "$a" = "$b" ] || { echo "row count mismatch for $t: $a vs $b" >&2; exit 1; }
done

flag=-S
[ "$SCRIPT" = tpcb ] && flag=
run() { # side url mode -> tps, or "0" after printing the failed run's output
    local log="$WORK/run-$1-$3.log" tps failed
    pgbench -n $flag -M "$3" -c "$CLIENTS" -j "$THREADS" -T "$DURATION" "$2" >"$log" 2>&1 || true
    tps=$(awk '/^tps = / {print $3}' "$log")
    failed=$(awk -F': *' '/^number of failed transactions/ {split($2, a, " "); print a[1]}' "$log")
    if [ -z "$tps" ] || [ "${failed:-0}" != 0 ]; then
        echo "!! $1 $3: pgbench reported no tps or failed transactions (${failed:-?}):" >&2
        sed 's/^/   /' "$log" >&2
        STATUS=1
    fi
    echo "${tps:-0}"
}

STATUS=0
printf '\n%-10s %-9s %14s %14s %8s\n' script mode postgres_tps pgtenant_tps ratio
for mode in simple prepared; do
    pg=$(run postgres "$PGURL" "$mode")
    pgt=$(run pgtenant "$PGTURL" "$mode")
    ratio=$(awk -v a="$pgt" -v b="$pg" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    printf '%-10s %-9s %14.0f %14.0f %8s\n' "$SCRIPT" "$mode" "$pg" "$pgt" "$ratio"
done
exit "$STATUS"
