"""``manage.py backup <file>`` — 备份: the database (SQLite online backup API, or ``pg_dump --format=custom``) and
every uploaded file under ``MEDIA_ROOT`` into one ``.tar.gz`` with a manifest (time, database vendor, schema
version). Safe while the app runs. Recorded in the audit log as the operator's ``core.backup``
(gongzhi/core/backup.py; README.md, "Backup and restore")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, backup
from gongzhi.core.events import Verb
from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM


class Command(BaseCommand):
    help = "备份数据库与上传的文件到一个归档文件（.tar.gz）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件路径，例如 var/backups/gongzhi-2026-12-04.tar.gz")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, file, database, **options):
        try:
            manifest = backup(file, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = Path(file).stat().st_size
        Event.record(SYSTEM, Verb.BACKUP, summary=f"{Path(file).name} · {manifest['vendor']}"[:300],
                     after={"file": str(Path(file).resolve()), "vendor": manifest["vendor"], "bytes": size,
                            "media_files": manifest["media_files"], "schema": manifest["schema"]})
        self.stdout.write(_("已备份到 %(f)s（%(v)s，%(n)s 个文件，%(s)s 字节）") % {
            "f": file, "v": manifest["vendor"], "n": manifest["media_files"], "s": size})
