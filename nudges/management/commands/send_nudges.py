import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from nudges import rules
from nudges.services import compose, send_nudges

EXIT_SOME_FAILED = 1


class Command(BaseCommand):
    help = (
        "Send the day's nudges (the daily job, beside the nightly sync): each tech lead whose "
        "team's review is overdue or whose milestones are past their target date without an "
        "update gets a short e-mail, and leadership a weekly digest on MILEPOST_DIGEST_WEEKDAY. "
        "One e-mail per person per day at most; people who opted out in their profile get none. "
        "Exits 0 when every e-mail went, 1 when some could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print each e-mail it would send (to, subject, body); send and record nothing",
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
            "--quiet", action="store_true", help="print nothing but e-mails that failed"
        )

    def handle(self, *args, dry_run, today, digest, quiet, verbosity, **options):
        verbosity = 0 if quiet else verbosity
        today = today or timezone.localdate()
        plan = rules.plan_nudges(today, force_digest=digest)
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
            write("")
            write(f"Would send {_count(plan.nudges)}.")
            if verbosity >= 1:
                self._skipped(plan)
            return

        result = send_nudges(plan)
        for composed, error in result.failed:
            self.stderr.write(
                style.ERROR(
                    f"Could not send to {composed.nudge.user.name} <{composed.to}>: {error}"
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
            digest_note = "" if plan.digest_day else " No digest today."
            write(
                f"{today:%a %b %-d, %Y}: sent {_count(result.sent)}, "
                f"{len(result.failed)} failed.{digest_note}"
            )
        if result.failed:
            raise SystemExit(EXIT_SOME_FAILED)

    def _skipped(self, plan: rules.NudgePlan) -> None:
        for skipped in plan.skipped:
            self.stdout.write(f"Skipped {skipped.user.name}: {skipped.reason}")


def _count(items) -> str:
    return f"{len(items)} e-mail{'s' if len(items) != 1 else ''}"
