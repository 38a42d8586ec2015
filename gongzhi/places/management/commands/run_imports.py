"""``manage.py run_imports`` — a loop that runs only the Excel imports (``--once`` for cron and tests).

``manage.py tick`` runs the same steps among the others; this is for a deployment that wants imports in a
process of their own (their memory returned to the system when the process is restarted)."""

import signal
import time

from django.core.management.base import BaseCommand

from gongzhi.places.jobs import STEPS


class Command(BaseCommand):
    help = "运行 Excel 导入任务：领取排队中的任务，回收处理进程已中断的任务，删除已完成任务的上传文件。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="运行一轮后退出")
        parser.add_argument("--idle", type=float, default=2.0, help="无事可做时的等待秒数")

    def handle(self, *args, once=False, idle=2.0, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        while not self.stopping:
            total = sum(step() for step in STEPS)
            if once:
                self.stdout.write(f"run_imports: {total} 条已处理")
                return
            if total == 0:
                time.sleep(idle)

    def _stop(self, *_args):
        self.stopping = True
