"""The sheets app takes over its tables from the milestones app, rows and all.

Django's picture of the models is created as it was (on the milestones_* tables, which
milestones 0001-0006 made), then each table is renamed to this app's name and the content types
(and so permissions and admin log entries) follow. A fresh database goes through the same steps.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("synclock", "syncrun", "syncconflict", "syncstate",)


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="sheets", model=model).exists():
            ContentType.objects.filter(app_label="milestones", model=model).update(app_label="sheets")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="sheets", model__in=MODELS).update(app_label="milestones")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('milestones', '0007_move_reviews_nudges_sync_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SyncLock',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, unique=True)),
                        ('holder', models.CharField(blank=True, max_length=64)),
                        ('acquired_at', models.DateTimeField(blank=True, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={'db_table': 'milestones_synclock'},
                ),
                migrations.CreateModel(
                    name='SyncRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('trigger', models.CharField(choices=[('command', 'command'), ('web', 'Sync now')], max_length=10)),
                        ('team_slugs', models.JSONField(blank=True, default=list, help_text='The teams the run was limited to; empty: all.')),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('ok', 'ok'), ('partial', 'partial'), ('failed', 'failed')], default='queued', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('progress_label', models.CharField(blank=True, max_length=200)),
                        ('progress_done', models.PositiveIntegerField(default=0)),
                        ('progress_total', models.PositiveIntegerField(default=0)),
                        ('created_in_app', models.PositiveIntegerField(default=0)),
                        ('updated_in_app', models.PositiveIntegerField(default=0)),
                        ('created_in_sheet', models.PositiveIntegerField(default=0, help_text='Rows added to the sheet, restored rows included.')),
                        ('updated_in_sheet', models.PositiveIntegerField(default=0)),
                        ('restored', models.PositiveIntegerField(default=0, help_text='Rows deleted from the sheet.')),
                        ('conflicts', models.PositiveIntegerField(default=0)),
                        ('errors', models.PositiveIntegerField(default=0, help_text='Cells that could not be read.')),
                        ('requests', models.PositiveIntegerField(default=0, help_text='Sheets API requests made.')),
                        ('teams', models.JSONField(blank=True, default=list, help_text='Counts per team.')),
                        ('messages', models.JSONField(blank=True, default=list, help_text="The run's log.")),
                        ('error', models.TextField(blank=True, help_text='Why the run failed.')),
                        ('journal', models.JSONField(blank=True, default=dict)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'milestones_syncrun',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SyncConflict',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('field', models.CharField(choices=[('title', 'Milestone'), ('owner', 'Owner'), ('target_date', 'Target date'), ('status', 'Status'), ('notes', 'Notes')], max_length=20)),
                        ('sheet_value', models.JSONField(help_text="The sheet's value, as the app reads it.", null=True)),
                        ('sheet_text', models.TextField(blank=True, help_text='The cell as it was typed.')),
                        ('app_value', models.JSONField(help_text="The app's value when the sync met it.", null=True)),
                        ('base_value', models.JSONField(blank=True, null=True)),
                        ('has_base', models.BooleanField(default=True, help_text='False when the row was first seen: no earlier value to compare.')),
                        ('tab', models.CharField(max_length=100)),
                        ('row', models.PositiveIntegerField()),
                        ('column', models.CharField(max_length=3)),
                        ('detected_at', models.DateTimeField()),
                        ('status', models.CharField(choices=[('open', 'open'), ('took_sheet', "took the sheet's value"), ('kept_app', "kept the app's value"), ('superseded', 'superseded by a later edit')], default='open', max_length=12)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('milestone', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_conflicts', to='milestones.milestone')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sheets.syncrun')),
                    ],
                    options={
                        'db_table': 'milestones_syncconflict',
                        'ordering': ['-detected_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SyncState',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tab', models.CharField(max_length=100)),
                        ('row', models.PositiveIntegerField(help_text="The sheet's row number (the header is row 1).")),
                        ('values', models.JSONField(default=dict)),
                        ('synced_at', models.DateTimeField()),
                        ('milestone', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sync_state', to='milestones.milestone')),
                    ],
                    options={
                        'db_table': 'milestones_syncstate',
                        'verbose_name': 'sync state',
                    },
                ),
                migrations.AddIndex(
                    model_name='syncrun',
                    index=models.Index(fields=['status'], name='milestones__status_fe1071_idx'),
                ),
                migrations.AddConstraint(
                    model_name='syncconflict',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('milestone', 'field'), name='one_open_sync_conflict_per_field', violation_error_message='This field already has an open sync conflict.'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='synclock', table=None),
        migrations.AlterModelTable(name='syncrun', table=None),
        migrations.AlterModelTable(name='syncconflict', table=None),
        migrations.AlterModelTable(name='syncstate', table=None),
        migrations.RenameIndex(model_name='syncrun', new_name='sheets_sync_status_31a014_idx', old_name='milestones__status_fe1071_idx'),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
