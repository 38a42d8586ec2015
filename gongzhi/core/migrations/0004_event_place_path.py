"""Event keeps where it happened as the place's tree path and name (a snapshot), not a foreign key into
the tree: core is the bottom layer and knows no app above it."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_places(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    Place = apps.get_model("places", "Place")
    place = Place.objects.filter(pk=OuterRef("place_id"))
    Event.objects.filter(place__isnull=False).update(
        place_path=Subquery(place.values("path")[:1]), place_name=Subquery(place.values("name")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_seed_holidays_2026"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event", name="place_path",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="所属区域路径"),
        ),
        migrations.AddField(
            model_name="event", name="place_name",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="所属区域"),
        ),
        migrations.RunPython(copy_places, migrations.RunPython.noop),
        migrations.RemoveField(model_name="event", name="place"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["place_path", "at"], name="core_event_place",
                               opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
        ),
    ]
