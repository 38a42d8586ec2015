"""The audit log is append-only in the database itself: triggers refuse any UPDATE or DELETE of core_event
(PostgreSQL and SQLite), whatever sends it — a bare QuerySet, raw SQL, a cascade. Its foreign keys PROTECT: an
account or a content type with history cannot be deleted, so history is never nulled."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def triggers_on(apps, schema_editor):
    from gongzhi.core.append_only import set_append_only

    set_append_only(schema_editor.connection, True)


def triggers_off(apps, schema_editor):
    from gongzhi.core.append_only import set_append_only

    set_append_only(schema_editor.connection, False)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0004_event_place_path"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="event",
            options={"base_manager_name": "objects", "ordering": ["-at", "-pk"], "verbose_name": "操作日志",
                     "verbose_name_plural": "操作日志"},
        ),
        migrations.AlterField(
            model_name="event", name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
        migrations.AlterField(
            model_name="event", name="target_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.RunPython(triggers_on, triggers_off),
    ]
