from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assembly", "0002_rollentry_building"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ballot",
            index=models.Index(fields=["vote", "updated_at", "id"], name="assembly_ballot_cast_order"),
        ),
    ]
