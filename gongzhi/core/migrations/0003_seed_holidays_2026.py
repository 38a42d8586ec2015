from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.core.calendar import HOLIDAYS_2026

    Holiday = apps.get_model("core", "Holiday")
    for date, kind, name in HOLIDAYS_2026:
        Holiday.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})


def unseed(apps, schema_editor):
    from gongzhi.core.calendar import HOLIDAYS_2026

    apps.get_model("core", "Holiday").objects.filter(date__in=[d for d, _k, _n in HOLIDAYS_2026]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_holiday")]
    operations = [migrations.RunPython(seed, unseed)]
