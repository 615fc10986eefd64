from django.db import migrations

# The list leadership starts with; they edit it in the admin.
DEFAULT_REASONS = [
    "Scope grew",
    "Dependency late",
    "Estimate wrong",
    "Interrupted by incidents",
    "Other",
]


def add_reasons(apps, schema_editor):
    SlipReason = apps.get_model("milestones", "SlipReason")
    for position, name in enumerate(DEFAULT_REASONS):
        SlipReason.objects.get_or_create(name=name, defaults={"position": position})


def remove_reasons(apps, schema_editor):
    SlipReason = apps.get_model("milestones", "SlipReason")
    SlipReason.objects.filter(name__in=DEFAULT_REASONS, explanations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("milestones", "0005_slip_reasons_and_nudges")]

    operations = [migrations.RunPython(add_reasons, remove_reasons)]
