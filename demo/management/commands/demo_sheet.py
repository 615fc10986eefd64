import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.sheet import DemoSheetError, build_demo_sheet, install_demo_sheet
from sheets.client import uses_emulator


class Command(BaseCommand):
    help = (
        "Write the demo's leadership sheet (for `sheets_emulator --load`) and reset the "
        "database's sync records to match it: a tab per team as last night's sync left it, "
        "plus a day of edits (a status changed, a date slipped, a row added, a conflict, a bad "
        "cell). Refuses to run when the Sheets API is Google's: it is for the emulator only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="var/demo-sheet.json",
            metavar="FILE.json",
            help="where to write the spreadsheet (default var/demo-sheet.json)",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the date to build the sheet as of (YYYY-MM-DD; default today)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what the demo sheet holds; write neither the file nor the database",
        )

    def handle(self, *args, output, today, dry_run, verbosity, **options):
        if not uses_emulator():
            raise CommandError(
                "MILEPOST_SHEETS_API_URL is Google's: the demo sheet is for the local emulator "
                "and would reset the sync records of a real sheet."
            )
        try:
            demo = build_demo_sheet(today or timezone.localdate())
        except DemoSheetError as exc:
            raise CommandError(str(exc)) from None
        tabs = len(demo.data["sheets"]) - 1
        if verbosity >= 1:
            verb = "Would write" if dry_run else "Wrote"
            self.stdout.write(
                f"{verb} {output}: spreadsheet {demo.data['spreadsheetId']!r}, Summary and "
                f"{tabs} team tabs for {demo.quarter}, as last night's sync left them, then:"
            )
            for edit in demo.edits:
                self.stdout.write(f"  {edit}")
        if dry_run:
            return
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(demo.data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        install_demo_sheet(demo)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Sync records reset to last night's. Serve it with: manage.py "
                    f"sheets_emulator --load {output}"
                )
            )
