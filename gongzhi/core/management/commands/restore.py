"""``manage.py restore <file> [--force]`` — 恢复 a ``manage.py backup`` archive: the database and ``MEDIA_ROOT``.
Refuses an archive whose schema version (latest migration per app) differs from this code's, and a database that
already holds data, unless ``--force``. A failed restore leaves the old data (gongzhi/core/backup.py). Stop the
app (gunicorn and the tick) first. The restore is then recorded in the restored audit log (``core.restore``)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, restore
from gongzhi.core.events import Verb
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM


class Command(BaseCommand):
    help = "从备份归档恢复数据库与上传的文件。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="manage.py backup 写出的归档文件")
        parser.add_argument("--force", action="store_true",
                            help="覆盖已有数据的数据库，或恢复结构版本不同的备份")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, file, force, database, **options):
        try:
            manifest = restore(file, force=force, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        Event.record(SYSTEM, Verb.RESTORE, summary=f"{file} · {manifest['created_at']}"[:300],
                     after={"file": str(file), "created_at": manifest["created_at"], "vendor": manifest["vendor"],
                            "media_files": manifest["media_files"], "forced": force})
        self.stdout.write(_("已从 %(f)s 恢复（备份时间 %(t)s，%(n)s 个文件）") % {
            "f": file, "t": manifest["created_at"], "n": manifest["media_files"]})
