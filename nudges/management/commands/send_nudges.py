import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from nudges import rules
from nudges.models import SlackPost
from nudges.services import compose, send_nudges
from nudges.slack import PostedAlready, destination_names, foresee_slack, send_to_slack
from nudges.slack_messages import plain_text
from nudges.webhooks import ORG, Webhooks

EXIT_SOME_FAILED = 1


class Command(BaseCommand):
    help = (
        "Send the day's nudges (the daily job, beside the nightly sync): each tech lead whose "
        "team's review is overdue or whose milestones are past their target date without an "
        "update gets a short e-mail, and leadership a weekly digest on MILEPOST_DIGEST_WEEKDAY. "
        "One e-mail per person per day at most; people who opted out in their profile get none. "
        "The same nudges and digest are posted to the Slack webhooks set (a team's, else its "
        "squad's, else the organisation's; the digest to the organisation's), once a day each "
        "whatever channel it goes to; "
        "a post that failed is tried again on the next run. "
        "Exits 0 when every e-mail and post went, 1 when some could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=(
                "print each e-mail and Slack message a run would send now, and what it would "
                "skip as sent already; send and record nothing"
            ),
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="the day to send as of (default: today)",
        )
        parser.add_argument(
            "--digest",
            action="store_true",
            help="send leadership the weekly digest whatever the weekday",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="print nothing but e-mails and posts that failed"
        )

    def handle(self, *args, dry_run, today, digest, quiet, verbosity, **options):
        verbosity = 0 if quiet else verbosity
        today = today or timezone.localdate()
        webhooks = Webhooks.read()
        plan = rules.plan_nudges(today, force_digest=digest, digest_for_slack=webhooks.has(ORG))
        write, style = self.stdout.write, self.style

        if dry_run:
            write(style.WARNING(f"Dry run for {today:%a %b %-d, %Y}: nothing is sent or recorded."))
            for nudge in plan.nudges:
                composed = compose(nudge)
                write("")
                write(style.MIGRATE_HEADING(f"To: {nudge.user.name} <{composed.to}>"))
                write(f"Subject: {composed.subject}")
                write("")
                write(composed.text.rstrip())
            slack = foresee_slack(plan, webhooks)
            names = destination_names(
                {m.destination for m in slack.to_post}
                | {p.destination for p in [*slack.retried, *slack.expired]}
                | {a.destination for a in slack.already}
                | {a.post.destination for a in slack.already}
            )
            for message in slack.to_post:
                write("")
                write(style.MIGRATE_HEADING(f"Slack: {names[message.destination]}"))
                write(plain_text(message.payload))
            for post in slack.retried:
                write("")
                write(
                    style.MIGRATE_HEADING(
                        f"Slack: {names[post.destination]} (again: it failed on {post.day:%b %-d})"
                    )
                )
                write(plain_text(post.payload))
            write("")
            write(f"Would send {_count(plan.nudges)}.")
            if slack.to_post or slack.retried:
                write(f"Would post {_posts([*slack.to_post, *slack.retried])} to Slack.")
            if verbosity >= 1:
                self._skipped(plan)
                for already in slack.already:
                    write(_skipped_slack(already, names))
                for post in slack.expired:
                    write(f"Would give up on {_given_up(post, names)}")
            return

        result = send_nudges(plan)
        slack = send_to_slack(plan, webhooks)
        names = destination_names(
            {p.destination for p in [*slack.sent, *slack.failed, *slack.expired]}
            | {a.destination for a in slack.already}
            | {a.post.destination for a in slack.already}
        )
        for composed, error in result.failed:
            self.stderr.write(
                style.ERROR(
                    f"Could not send to {composed.nudge.user.name} <{composed.to}>: {error}"
                )
            )
        for post in slack.failed:
            self.stderr.write(
                style.ERROR(
                    f"Could not post to Slack ({names[post.destination]}, {post.day:%b %-d}): "
                    f"{post.summary}: {post.last_error}. The next run tries again."
                )
            )
        if verbosity >= 1:
            for composed in result.sent:
                write(
                    f"Sent to {composed.nudge.user.name} <{composed.to}>: "
                    f"{rules.describe(composed.nudge)}"
                )
            for composed in result.already:
                write(f"Skipped {composed.nudge.user.name}: {rules.ALREADY_NUDGED}")
            self._skipped(plan)
            for post in slack.sent:
                write(f"Posted to Slack ({names[post.destination]}): {post.summary}")
            for already in slack.already:
                write(_skipped_slack(already, names))
            for post in slack.expired:
                write(f"Gave up on {_given_up(post, names)}")
            digest_note = "" if plan.digest_day else " No digest today."
            slack_note = (
                f" Slack: posted {_posts(slack.sent)}, {len(slack.failed)} failed."
                if slack.sent or slack.failed
                else ""
            )
            write(
                f"{today:%a %b %-d, %Y}: sent {_count(result.sent)}, "
                f"{len(result.failed)} failed.{slack_note}{digest_note}"
            )
        if result.failed or slack.failed:
            raise SystemExit(EXIT_SOME_FAILED)

    def _skipped(self, plan: rules.NudgePlan) -> None:
        for skipped in plan.skipped:
            self.stdout.write(f"Skipped {skipped.user.name}: {skipped.reason}")


def _skipped_slack(already: PostedAlready, names: dict[str, str]) -> str:
    """Why a message of today's plan is not posted: the day's row says it went already (or is
    going, or was given up on); the same words for a run and a dry run."""
    post = already.post
    to = f" to {names[post.destination]}" if already.moved else ""
    state = {
        "sent": f"already posted today{to}",
        "expired": f"failed earlier today{to}, and was given up on",
    }.get(post.status, f"another run is posting it{to} (or died doing so)")
    return f"Skipped Slack ({names[already.destination]}): {post.summary}: {state}"


def _given_up(post: SlackPost, names: dict[str, str]) -> str:
    return (
        f"Slack ({names[post.destination]}): {post.summary} of {post.day:%b %-d}, which failed, "
        "is no longer today's news"
    )


def _count(items) -> str:
    return f"{len(items)} e-mail{'s' if len(items) != 1 else ''}"


def _posts(items) -> str:
    return f"{len(items)} message{'s' if len(items) != 1 else ''}"
