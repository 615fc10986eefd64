"""The nudges app takes over its tables from the milestones app, rows and all.

Django's picture of the models is created as it was (on the milestones_* tables, which
milestones 0001-0006 made), then each table is renamed to this app's name and the content types
(and so permissions and admin log entries) follow. A fresh database goes through the same steps.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ("nudge",)


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="nudges", model=model).exists():
            ContentType.objects.filter(app_label="milestones", model=model).update(app_label="nudges")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="nudges", model__in=MODELS).update(app_label="milestones")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('milestones', '0007_move_reviews_nudges_sync_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Nudge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_on', models.DateField()),
                        ('kinds', models.CharField(help_text='What it was about, comma-separated (review_overdue, …).', max_length=100)),
                        ('subject', models.CharField(max_length=200)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='nudges', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'milestones_nudge',
                        'ordering': ['-sent_on', 'user'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'sent_on'), name='one_nudge_per_person_per_day')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='nudge', table=None),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
