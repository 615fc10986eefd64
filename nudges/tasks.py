"""The background task behind the Slack page's "Send a test message".

The view records a queued `SlackTestMessage` and enqueues this task with its id, so the request
returns at once (a Slack that hangs holds a worker for up to MILEPOST_SLACK_TIMEOUT, never a
web worker) and the page polls the test. With the database backend a `manage.py db_worker`
process runs it; the test settings' ImmediateBackend runs it inside the request.
"""

from django_tasks import task

from nudges.slack import post_test_message


@task()
def post_slack_test_message(test_id: int) -> str:
    """Post the queued test message `test_id`; returns how it went ("" if another worker
    took it)."""
    test = post_test_message(test_id)
    return test.status if test else ""
