"""Privacy choices of a request (公开, 业委会可见姓名) and personal-matter categories (docs/privacy.md)."""

from django.db import migrations, models

PERSONAL = ("neighbour_dispute", "service_complaint", "noise", "illegal_building")  # catalogue.PERSONAL


def mark_personal(apps, schema_editor):
    apps.get_model("workorders", "Category").objects.filter(code__in=PERSONAL).update(personal=True)


class Migration(migrations.Migration):
    dependencies = [("workorders", "0005_category_name_unique")]

    operations = [
        migrations.AddField(
            model_name="category", name="personal",
            field=models.BooleanField(db_default=False, default=False, help_text="邻里纠纷、投诉等：默认不公开，业委会看不到",
                                      verbose_name="个人事务"),
        ),
        migrations.AddField(
            model_name="request", name="public",
            field=models.BooleanField(db_default=False, default=False,
                                      help_text="公示栏和 Open311 公开：类别、描述、状态，位置只到小区", verbose_name="公开"),
        ),
        migrations.AddField(
            model_name="request", name="named_to_committee",
            field=models.BooleanField(db_default=False, default=False, verbose_name="业委会可见姓名"),
        ),
        migrations.RunPython(mark_personal, migrations.RunPython.noop),
    ]
