"""The database's own refusal to change the audit log (``core.Event``): triggers that fail any UPDATE or DELETE of a
core_event row, whoever sends it (a bare ``QuerySet(Event)``, ``_raw_delete``, raw SQL, a cascade). Created by
migration 0005; only ``manage.py flush`` (core/management/commands/flush.py: the test runner's and an
operator's wipe of every table) lifts them, for its own statements, and puts them back.

TRUNCATE is not a row change and is not caught on PostgreSQL (flush uses it); it needs the table owner's
rights, which the application's database role should not have in production (docs/security.md)."""

from __future__ import annotations

APPEND_ONLY_MESSAGE = "core_event is append-only (操作日志只能追加)"
APPEND_ONLY_SQL = {
    "postgresql": (
        f"""CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$;""",
        "DROP TRIGGER IF EXISTS core_event_append_only ON core_event;",
        """CREATE TRIGGER core_event_append_only BEFORE UPDATE OR DELETE ON core_event
        FOR EACH ROW EXECUTE FUNCTION core_event_append_only();""",
    ),
    "sqlite": (
        f"""CREATE TRIGGER IF NOT EXISTS core_event_no_update BEFORE UPDATE ON core_event
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS core_event_no_delete BEFORE DELETE ON core_event
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;""",
    ),
}
DROP_APPEND_ONLY_SQL = {
    "postgresql": ("DROP TRIGGER IF EXISTS core_event_append_only ON core_event;",
                   "DROP FUNCTION IF EXISTS core_event_append_only();"),
    "sqlite": ("DROP TRIGGER IF EXISTS core_event_no_update;", "DROP TRIGGER IF EXISTS core_event_no_delete;"),
}


def set_append_only(connection, on: bool) -> None:
    """Create (or drop) the triggers that make core_event append-only in the database, if it is one we know."""
    for sql in (APPEND_ONLY_SQL if on else DROP_APPEND_ONLY_SQL).get(connection.vendor, ()):
        with connection.cursor() as cursor:
            cursor.execute(sql)
