from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from teams.roster import RosterFileError, import_roster


class Command(BaseCommand):
    help = (
        "Create or update squads, teams, people and memberships from a roster CSV with the "
        "columns team,squad,role,name,email (roles: tech_lead, engineer, leadership, "
        "product_manager, designer, customer_advocate). Idempotent. When any row is bad, "
        "reports every bad row by line and applies nothing, unless --partial. Exits 1 when a "
        "row was bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the roster CSV (UTF-8)")
        parser.add_argument(
            "--partial", action="store_true", help="apply the good rows even if some are bad"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; change nothing"
        )

    def handle(self, *args, file: Path, partial: bool, dry_run: bool, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text; save the roster as UTF-8 CSV.") from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror}).") from None
        try:
            report = import_roster(text, partial=partial, dry_run=dry_run)
        except RosterFileError as exc:
            raise CommandError(f"{file}: {exc}") from None

        verbosity = options["verbosity"]
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"{file.name}, {warning}"))
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"{file.name}, {error}"))
        if report.errors and not partial:
            raise CommandError(
                f"{len(report.errors)} bad row(s); nothing was applied. Fix them, or use "
                "--partial to apply the good rows."
            )
        if verbosity >= 2 or dry_run:
            for change in report.changes:
                self.stdout.write(f"  {change}")
        prefix = "Would apply" if dry_run else "Applied"
        if report.changes:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix} {len(report.changes)} change(s) from {report.rows} rows."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Nothing to change: {report.rows} rows up to date.")
            )
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad row(s) were skipped.")
