"""The roll keeps each unit's building (taken at announcement from now on); existing rolls get the
building the unit is in now, found by walking up the unit's path to the nearest ancestor of kind building."""

import django.db.models.deletion
from django.db import migrations, models

STEP = 4  # places.models.STEP: characters of path per level
BATCH = 2000


def fill_buildings(apps, schema_editor):
    RollEntry = apps.get_model("assembly", "RollEntry")
    Place = apps.get_model("places", "Place")
    db = schema_editor.connection.alias
    entries = RollEntry.objects.using(db).filter(building__isnull=True)
    if not entries.exists():
        return
    buildings = dict(Place.objects.using(db).filter(kind="building").values_list("path", "pk"))
    ids_of: dict[int, list[int]] = {}
    for pk, path in entries.values_list("pk", "unit__path").iterator(chunk_size=BATCH):
        for end in range(len(path) - STEP, 0, -STEP):
            building = buildings.get(path[:end])
            if building is not None:
                ids_of.setdefault(building, []).append(pk)
                break
    for building, ids in ids_of.items():
        for i in range(0, len(ids), BATCH):
            RollEntry.objects.using(db).filter(pk__in=ids[i:i + BATCH]).update(building_id=building)


class Migration(migrations.Migration):

    dependencies = [
        ("assembly", "0001_initial"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollentry",
            name="building",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="places.place"),
        ),
        migrations.RunPython(fill_buildings, migrations.RunPython.noop, elidable=True),
    ]
