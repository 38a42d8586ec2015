from django.core.management.base import BaseCommand

from gongzhi.site.demo import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "打印演示账号（每个角色一个）。"

    def handle(self, *args, **options):
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("")
