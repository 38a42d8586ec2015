"""What every benchmark shares: a PostgreSQL database to run in, and percentiles."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit


def ensure_database(url: str) -> None:
    """Create the benchmark's database if it is missing (benchmarks run on PostgreSQL only)."""
    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"bench needs PostgreSQL, DATABASE_URL is {url!r}")
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"Creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def app_connection(url: str):
    """A psycopg connection set up as the app's (after ``django.setup()``): parameters bound on the client
    (Django's ``ClientCursor``), no automatic ``PREPARE`` (connection poolers), autocommit, and the
    server options of ``DATABASES["default"]["OPTIONS"]`` (``jit=off``): ORM against SQL, nothing else."""
    import psycopg
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options")
    return psycopg.connect(url, autocommit=True, prepare_threshold=None, cursor_factory=psycopg.ClientCursor,
                           **({"options": options} if options else {}))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
