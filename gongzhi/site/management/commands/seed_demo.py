from django.core.management.base import BaseCommand

from gongzhi.site.demo import seed_demo


class Command(BaseCommand):
    help = "建立演示街道（青年路街道，3个社区、11个小区、9家物业企业），可重复运行。"

    def handle(self, *args, **options):
        result = seed_demo()
        if result.created:
            self.stdout.write(f"演示街道已建立：{result.households} 户，{result.people} 人。")
        else:
            self.stdout.write("演示街道已存在，未重复建立。")
