from django.core.management.base import BaseCommand

from gongzhi.people.generate import SCALES
from gongzhi.workorders.generate import DEFAULT_COUNTS, generate_requests


class Command(BaseCommand):
    help = ("生成基准测试诉求（--scale city：500万件，24个月；--scale tiny：几千件，供测试）。"
            "需要时先生成区域数据集；可重复运行（已存在则复用）。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--count", type=int, default=None,
                            help=f"number of requests (default: {', '.join(f'{k} {v:,}' for k, v in DEFAULT_COUNTS.items())})")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, scale, count, seed, **options):
        def say(msg: str) -> None:
            self.stdout.write(msg)
            self.stdout.flush()

        kwargs = {} if seed is None else {"seed": seed}
        generate_requests(scale, count, progress=say, **kwargs)  # says "already present" when they exist
