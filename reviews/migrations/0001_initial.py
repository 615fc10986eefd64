"""The reviews app takes over its tables from the milestones app, rows and all.

Django's picture of the models is created as it was (on the milestones_* tables, which
milestones 0001-0006 made), then each table is renamed to this app's name and the content types
(and so permissions and admin log entries) follow. A fresh database goes through the same steps.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ("review", "reviewitem",)


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="reviews", model=model).exists():
            ContentType.objects.filter(app_label="milestones", model=model).update(app_label="reviews")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reviews", model__in=MODELS).update(app_label="milestones")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('milestones', '0007_move_reviews_nudges_sync_out'),
        ('teams', '0002_nudges_opt_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Review',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('held_on', models.DateField(verbose_name='date')),
                        ('summary', models.TextField(blank=True)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('reopened_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('previous', models.ForeignKey(blank=True, help_text="The team's review before this one in the same quarter, which the changes are measured against. Empty on the first review of a quarter: everything is new.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reviews.review')),
                        ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='milestones.quarter')),
                        ('reopened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='teams.team')),
                    ],
                    options={
                        'db_table': 'milestones_review',
                        'ordering': ['team', '-held_on'],
                    },
                ),
                migrations.CreateModel(
                    name='ReviewItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('on_track', 'On track'), ('at_risk', 'At risk'), ('off_track', 'Off track'), ('done', 'Done'), ('dropped', 'Dropped')], max_length=20)),
                        ('committed_date', models.DateField()),
                        ('target_date', models.DateField()),
                        ('delivered_date', models.DateField(blank=True, null=True)),
                        ('owner_name', models.CharField(blank=True, max_length=150)),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('on_agenda', models.BooleanField(default=True, help_text='Open, new or changed since the previous review: what the meeting goes through. The others are kept so that the next review can tell what changed.')),
                        ('note', models.TextField(blank=True)),
                        ('milestone', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='review_items', to='milestones.milestone')),
                        ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='reviews.review')),
                    ],
                    options={
                        'db_table': 'milestones_reviewitem',
                        'ordering': ['review', 'position', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='review',
                    constraint=models.UniqueConstraint(fields=('team', 'held_on'), name='one_review_per_team_per_date', violation_error_message='This team already has a review on that date.'),
                ),
                migrations.AddConstraint(
                    model_name='reviewitem',
                    constraint=models.UniqueConstraint(fields=('review', 'milestone'), name='one_item_per_milestone_per_review'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='review', table=None),
        migrations.AlterModelTable(name='reviewitem', table=None),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
