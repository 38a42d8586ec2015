from django.core.management.base import BaseCommand

from gongzhi.people.generate import SCALES, generate


class Command(BaseCommand):
    help = "生成基准测试数据集（--scale city：约60万户；--scale tiny：几百户，供测试）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")

    def handle(self, *args, scale, **options):
        def say(msg: str) -> None:
            self.stdout.write(msg)
            self.stdout.flush()

        generate(scale, progress=say)  # says "already present" when the data set exists
