#!/usr/bin/env bash
# Load benchmarks against the release server (see benches/load.rs):
#
#   benches/load.sh [stream|idle|neighbour|remote|all]
#
# stream: peak server RSS while streaming 10 million rows; idle: 2,000
# authenticated idle connections over 200 tenants, memory per connection;
# neighbour: tenant B's latency alone and under tenant A's bulk writes.
# remote: a remote libSQL tenant (Hrana test double) against a local one.
set -euo pipefail
cd "$(dirname "$0")/.."
# 2,000 connections: a descriptor each in the client and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 5000 ] &&
    echo "warning: open-file limit $(ulimit -n) is below 5000; 'idle' may fail" >&2
exec cargo bench --bench load -- "${1:-all}"
