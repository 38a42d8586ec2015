#!/usr/bin/env bash
# The suite on SQLite and on PostgreSQL at the same time (one per core), each into its own log;
# both logs are printed when both have finished, and the exit status is non-zero if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/gongzhi}
mkdir -p var
start=$(date +%s)
"$PY" -m pytest -q > var/test-sqlite.log 2>&1 &
sqlite_pid=$!
DATABASE_URL="$PG_URL" "$PY" -m pytest -q > var/test-postgres.log 2>&1 &
pg_pid=$!
wait $sqlite_pid; sqlite_rc=$?
wait $pg_pid; pg_rc=$?
echo "== the suite on SQLite (exit $sqlite_rc)"; cat var/test-sqlite.log
echo "== the suite on PostgreSQL (exit $pg_rc)"; cat var/test-postgres.log
echo "== both in $(( $(date +%s) - start )) s: SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
