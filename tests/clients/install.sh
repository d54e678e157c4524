#!/usr/bin/env bash
# Installs the real client libraries the client suite (tests/clients.rs) drives:
# a Python venv with psycopg 3, psycopg2, SQLAlchemy 2, Alembic, asyncpg and Django;
# node-postgres, Knex, TypeORM and Sequelize under node/; Debian's pgjdbc jar. Idempotent; run by .ci/run
# before `cargo test`, and by hand once on a developer machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

echo "== python clients ($here/.venv)"
if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q -r "$here/python/requirements.txt"

echo "== node clients ($here/node/node_modules)"
(cd "$here/node" && npm ci --no-audit --no-fund --silent)

echo "== java client (pgjdbc)"
if [ ! -f /usr/share/java/postgresql.jar ]; then
    apt-get update -qq
    apt-get install -y -qq libpostgresql-jdbc-java
fi
command -v javac >/dev/null || { echo "javac (JDK 17) is required" >&2; exit 1; }
echo "client suite ready"
