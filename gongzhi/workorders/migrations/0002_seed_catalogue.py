from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.workorders.catalogue import seed_catalogue

    seed_catalogue(apps.get_model("workorders", "Category"), apps.get_model("workorders", "ServiceLevel"))


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
