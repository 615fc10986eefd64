import argparse
import datetime
import shutil

from django.core.management.base import BaseCommand, CommandError

from sheets.lock import LockHeld
from sheets.models import SyncRun
from sheets.report import SyncMessage, SyncResult
from sheets.run import sync_sheet
from teams.models import Team

EXIT_CHANGES_NEED_ATTENTION = 1
EXIT_COULD_NOT_RUN = 2


class Command(BaseCommand):
    help = (
        "Sync the leadership Google Sheet both ways (the nightly job): every team's tab is "
        "merged field by field with the app against the last sync; a field changed on both "
        "sides keeps the app's value and is recorded as a conflict to resolve on the Sync page. "
        "Exits 0 when all went through, 1 when the run finished with per-cell errors or "
        "conflicts, 2 when it could not run (no credentials, sheet not found, lock held)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read the sheet and print what the sync would do; change nothing on either side",
        )
        parser.add_argument(
            "--team",
            action="append",
            dest="teams",
            default=[],
            metavar="SLUG",
            help="sync only this team's tab (repeat for several teams)",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="print nothing but problems: no progress, no summary",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help=argparse.SUPPRESS,  # the date to sync as of: for tests and demos
        )

    def handle(self, *args, dry_run, teams, quiet, today, verbosity, **options):
        verbosity = 0 if quiet else verbosity
        unknown = sorted(
            set(teams) - set(Team.objects.filter(slug__in=teams).values_list("slug", flat=True))
        )
        if unknown:
            raise CommandError(
                f"No team has the slug {', '.join(unknown)}.", returncode=EXIT_COULD_NOT_RUN
            )
        progress = (
            _TerminalProgress(self.stdout) if verbosity >= 1 and self.stdout.isatty() else None
        )
        try:
            result = sync_sheet(
                trigger=SyncRun.Trigger.COMMAND,
                team_slugs=teams,
                dry_run=dry_run,
                today=today,
                progress=progress,
            )
        except LockHeld as exc:
            raise CommandError(str(exc), returncode=EXIT_COULD_NOT_RUN) from None
        finally:
            if progress:
                progress.done()

        if result.status == SyncRun.Status.FAILED:
            where = f" (run {result.run.pk})" if result.run else ""
            raise CommandError(
                f"The sync could not run{where}: {result.error}", returncode=EXIT_COULD_NOT_RUN
            )
        if verbosity >= 1:
            self._print_summary(result, verbosity)
        else:
            for message in result.errors:
                self.stderr.write(_message_line(message))
        if result.counts.errors or result.counts.conflicts:
            raise SystemExit(EXIT_CHANGES_NEED_ATTENTION)

    def _print_summary(self, result: SyncResult, verbosity: int) -> None:
        write, style = self.stdout.write, self.style
        if result.dry_run:
            write(style.WARNING("Dry run: nothing was changed. The sync would:"))
            for change in result.changes:
                write(f"  {change}")
            if not result.changes:
                write("  change nothing")
        elif verbosity >= 2:
            for change in result.changes:
                write(f"  {change}")

        rows = [("Team", "Tab", "Pulled", "Pushed", "Conflicts", "Errors")]
        for team in result.teams:
            rows.append(
                (team.team, team.tab, team.pulled, team.pushed, team.conflicts, team.errors)
            )
        rows.append(
            (
                "Total",
                "",
                sum(t.pulled for t in result.teams),
                sum(t.pushed for t in result.teams),
                sum(t.conflicts for t in result.teams),
                sum(t.errors for t in result.teams),
            )
        )
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        write("")
        for index, row in enumerate(rows):
            cells = [
                str(value).ljust(width) if column < 2 else str(value).rjust(width)
                for column, (value, width) in enumerate(zip(row, widths, strict=True))
            ]
            line = "  ".join(cells).rstrip()
            write(style.MIGRATE_HEADING(line) if index == 0 else line)

        shown = [m for m in result.messages if m.level != "info" or verbosity >= 2]
        if shown:
            write("")
        for message in shown:
            line = _message_line(message)
            if message.level == "error":
                write(style.ERROR(line))
            elif message.level == "warning":
                write(style.WARNING(line))
            else:
                write(line)

        counts = result.counts
        verb = "would be" if result.dry_run else ""
        write("")
        summary = (
            f"App: {counts.created_in_app} created, {counts.updated_in_app} updated. "
            f"Sheet: {counts.created_in_sheet} rows added ({counts.restored} restored), "
            f"{counts.updated_in_sheet} updated. Conflicts: {counts.conflicts}. "
            f"Errors: {counts.errors}. Sheets API requests: {result.requests}."
        )
        if verb:
            summary = f"{summary} (what {verb} done)"
        if result.run:
            summary = f"Run {result.run.pk}: {result.status}. {summary}"
        ok = result.status == SyncRun.Status.OK
        write(style.SUCCESS(summary) if ok else style.WARNING(summary))


def _message_line(message: SyncMessage) -> str:
    where = f"{message.where}: " if message.where else ""
    value = f" [{message.value}]" if message.value and message.value not in message.text else ""
    return f"{message.level.upper():7} {where}{message.text}{value}"


class _TerminalProgress:
    """One line redrawn in place: "Merging Platform  [=======       ] 12/22"."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.width = max(20, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        self.shown = False

    def __call__(self, label: str, done: int, total: int) -> None:
        bar = ""
        if total:
            filled = round(self.width * done / total)
            bar = f"  [{'=' * filled}{' ' * (self.width - filled)}] {done}/{total}"
        self.stdout.write(f"\r\033[K{label[:40]}{bar}", ending="")
        self.stdout.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stdout.write("\r\033[K", ending="")
            self.stdout.flush()
