#!/usr/bin/env bash
# The suite runs on PostgreSQL too; start the local cluster if it is not answering.
set -uo pipefail
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then exit 0; fi
ver=$(ls /etc/postgresql 2>/dev/null | head -1)
if [ -n "$ver" ]; then pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true; fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && exit 0; sleep 1; done
echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2
exit 1
