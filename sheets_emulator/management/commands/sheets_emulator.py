"""Serve the local Google Sheets API emulator on loopback until Ctrl-C."""

import logging
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sheets_emulator.server import SheetsEmulator

DEFAULT_PORT = 8765


class Command(BaseCommand):
    help = (
        "Serve an in-memory emulator of the Google Sheets API v4 (the subset gspread uses) on "
        "127.0.0.1, so the sheet sync runs with no Google account. --load reads spreadsheets "
        "from JSON (the format of tests/data/sheet.json); --save writes them back on Ctrl-C "
        "and on POST /_emulator/save. Point Milepost at it with the MILEPOST_SHEETS_API_URL "
        "it prints."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"Port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one).",
        )
        parser.add_argument(
            "--load",
            metavar="FILE.json",
            help="Spreadsheet(s) to serve: one spreadsheet object, or a list of them.",
        )
        parser.add_argument(
            "--save",
            metavar="FILE.json",
            help="Where to write the spreadsheets on exit and on POST /_emulator/save.",
        )

    def handle(self, *args, port, load, save, verbosity, **options):
        if not 0 <= port <= 65535:
            raise CommandError(f"--port {port} is not a TCP port (0-65535).")
        if save and not Path(save).parent.is_dir():
            raise CommandError(f"--save {save}: the folder {Path(save).parent} does not exist.")
        try:
            emulator = SheetsEmulator(port=port, save_path=save)
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from None
        try:
            if load:
                self._load(emulator, load)
            if verbosity >= 2:
                # One line per request, through the project's logging.
                logging.getLogger(SheetsEmulator.__module__).setLevel(logging.DEBUG)
            self._announce(emulator, verbosity=verbosity)
            self._serve_until_stopped(emulator)
        finally:
            emulator.stop()
        if save:
            try:
                saved = emulator.save()
            except OSError as exc:
                raise CommandError(f"--save {save}: cannot be written ({exc.strerror}).") from None
            self.stdout.write(f"Saved the spreadsheets to {saved}.")

    def _load(self, emulator: SheetsEmulator, path: str) -> None:
        try:
            emulator.load_file(path)
        except FileNotFoundError:
            raise CommandError(f"--load {path}: there is no such file.") from None
        except OSError as exc:
            raise CommandError(f"--load {path}: cannot be read ({exc.strerror}).") from None
        except ValueError as exc:
            raise CommandError(f"--load {path}: {exc}") from None

    def _announce(self, emulator: SheetsEmulator, *, verbosity: int) -> None:
        ids = emulator.spreadsheet_ids()
        self.stdout.write(self.style.SUCCESS(f"Sheets API emulator listening on {emulator.url}"))
        if verbosity >= 1:
            for spreadsheet_id in ids:
                spreadsheet = emulator.dump(spreadsheet_id)
                self.stdout.write(
                    f"  {spreadsheet_id}: {spreadsheet['title']!r}, "
                    f"{len(spreadsheet['sheets'])} tabs"
                )
            self.stdout.write("Point Milepost at it with:")
        self.stdout.write(f"  MILEPOST_SHEETS_API_URL={emulator.url}")
        if len(ids) == 1:
            self.stdout.write(f"  MILEPOST_SHEET_KEY={ids[0]}")
        if verbosity >= 1:
            saving = f", saving to {emulator.save_path}" if emulator.save_path else ""
            self.stdout.write(
                f"Controls under {emulator.url}/_emulator/ (stats, faults, quota, reset, save). "
                f"Ctrl-C stops{saving}."
            )
        self.stdout.flush()

    def _serve_until_stopped(self, emulator: SheetsEmulator) -> None:
        """Serve until Ctrl-C (or SIGTERM, so a demo stopped by its supervisor still saves)."""

        def stop_on_sigterm(signum, frame):
            raise KeyboardInterrupt

        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, stop_on_sigterm) if in_main_thread else None
        try:
            self.serve(emulator)
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)

    def serve(self, emulator: SheetsEmulator) -> None:
        emulator.serve_forever(poll_interval=0.2)
