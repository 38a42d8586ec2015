"""``manage.py tick`` — the long-running loop of periodic steps (``--once`` for cron and tests)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.core.calendar import missing_next_year
from gongzhi.core.registry import registry
from gongzhi.places.jobs import STEPS as IMPORT_STEPS
from gongzhi.workorders.jobs import STEPS as REQUEST_STEPS

logger = logging.getLogger("gongzhi.tick")
STEPS = [*REQUEST_STEPS, *IMPORT_STEPS]


def warn_missing_calendar(today=None) -> int | None:
    """From 1 November: say in the log that next year's holidays are not entered (once a day in the loop)."""
    year = missing_next_year(today)
    if year is not None:
        logger.warning("%s 年的法定节假日和调休尚未录入（/requests/calendar/），跨年的诉求时限将把节假日算作工作日", year)
    return year


class Command(BaseCommand):
    help = "运行定时任务：超时标记、督办升级、吹哨报到超时、抢单超时、自动关闭、Excel 导入。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="运行一轮后退出")
        parser.add_argument("--idle", type=float, default=5.0, help="无事可做时的等待秒数")

    def handle(self, *args, once=False, idle=5.0, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        checked = None
        while True:
            if checked != timezone.localdate():
                checked = timezone.localdate()
                warn_missing_calendar(checked)
            total = 0
            # the requests' own steps, then those other apps registered (meetings: 会议生成, 逾期事项上会)
            for step in [*STEPS, *(s.run for s in registry.tick_steps)]:
                n = step()
                total += n
                if n and options.get("verbosity", 1) > 1:
                    self.stdout.write(f"{getattr(step, '__name__', step)}: {n}")
                if self.stopping:
                    return
            if once:
                self.stdout.write(f"tick: {total} 条已处理")
                return
            if total == 0:
                time.sleep(idle)

    def _stop(self, *_args):
        self.stopping = True
