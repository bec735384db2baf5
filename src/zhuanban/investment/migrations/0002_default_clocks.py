"""The stage clocks a bureau starts with; the investment office changes them on screen."""

from django.db import migrations

# stage: (limit days, warn days before the limit, report every (days), evidence required)
DEFAULTS = {
    "planned": (30, 7, None, False),
    "negotiating": (60, 10, 14, False),
    "signed": (90, 15, 14, True),
    "landed": (90, 15, 14, False),
    "started": (365, 30, 14, False),
}


def create(apps, schema_editor):
    StageClock = apps.get_model("investment", "StageClock")
    for stage, (limit, warn, report, evidence) in DEFAULTS.items():
        StageClock.objects.get_or_create(
            stage=stage,
            defaults={
                "limit_days": limit,
                "warn_days": warn,
                "report_days": report,
                "evidence_required": evidence,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("investment", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
