"""Reviews, nudges and the sheet sync's records move to apps of their own (reviews, nudges,
sheets). Only Django's picture of the models moves here: the tables and their rows stay, and
each new app's first migration takes them over and renames them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('milestones', '0006_default_slip_reasons'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='nudge',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='previous',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='reopened_by',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='started_by',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='reviewitem',
                    name='review',
                ),
                migrations.RemoveField(
                    model_name='reviewitem',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='reviewitem',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='syncconflict',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='syncconflict',
                    name='resolved_by',
                ),
                migrations.RemoveField(
                    model_name='syncconflict',
                    name='run',
                ),
                migrations.DeleteModel(
                    name='SyncLock',
                ),
                migrations.RemoveField(
                    model_name='syncrun',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='syncstate',
                    name='milestone',
                ),
                migrations.DeleteModel(
                    name='Nudge',
                ),
                migrations.DeleteModel(
                    name='Review',
                ),
                migrations.DeleteModel(
                    name='ReviewItem',
                ),
                migrations.DeleteModel(
                    name='SyncConflict',
                ),
                migrations.DeleteModel(
                    name='SyncRun',
                ),
                migrations.DeleteModel(
                    name='SyncState',
                ),
            ],
            database_operations=[],
        ),
    ]
