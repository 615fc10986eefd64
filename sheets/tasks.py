"""The background task behind "Sync now": the same sync as the nightly command.

The view records a queued run and enqueues this task with its id, so the request returns at
once and the page polls the run. With the database backend a `manage.py db_worker` process
runs it; the test settings' ImmediateBackend runs it inside the request.
"""

from django_tasks import task

from sheets.lock import LockHeld
from sheets.models import SyncRun
from sheets.run import sync_sheet


@task()
def run_queued_sync(run_id: int) -> str:
    """Run the queued sync run `run_id`; returns its status."""
    run = SyncRun.objects.select_related("requested_by").get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED:
        return run.status  # a worker already took it (a task is delivered at least once)
    try:
        result = sync_sheet(
            trigger=run.trigger,
            requested_by=run.requested_by,
            team_slugs=run.team_slugs,
            run=run,
        )
    except LockHeld:
        return SyncRun.Status.FAILED  # recorded on the run by sync_sheet
    return result.status
