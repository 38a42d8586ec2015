"""API tokens get a scope (只读 / 读写) and an expiry. Tokens issued before could do everything a key could, for
ever: they keep 读写 (an integration such as the 12345 gateway files requests; cutting it to read-only would stop
it without warning) but expire 90 days after this upgrade, so each integration is re-issued, with the scope it
needs, within a quarter; the token page shows the date."""

import datetime

from django.db import migrations, models
from django.utils import timezone

LEGACY_DAYS = 90


def legacy_tokens(apps, schema_editor):
    ApiToken = apps.get_model("people", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        scope="write", expires_at=timezone.now() + datetime.timedelta(days=LEGACY_DAYS))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_verification_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken", name="scope",
            field=models.CharField(choices=[("read", "只读"), ("write", "读写")], default="read", max_length=8,
                                   verbose_name="权限"),
        ),
        migrations.AddField(
            model_name="apitoken", name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="有效期至"),
        ),
        migrations.RunPython(legacy_tokens, migrations.RunPython.noop),
    ]
