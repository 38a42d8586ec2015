"""``flush`` — Django's, with the audit log's append-only triggers lifted for it (every table is emptied, the
audit log with them: the test runner after each transactional test, or an operator starting over) and put back
after."""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from gongzhi.core.append_only import set_append_only


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        set_append_only(connection, False)
        try:
            return super().handle(**options)
        finally:
            set_append_only(connection, True)
