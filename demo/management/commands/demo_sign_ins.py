import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from demo.organisation import demo_sign_ins, sign_in_lines


class Command(BaseCommand):
    help = (
        "Print where to sign in and the demo's accounts (a leader, a tech lead, an engineer). "
        "With --wait, first wait until the server answers at --url, so that `make run` prints "
        "them last, after the servers' start-up lines. Prints nothing for a database that is "
        "not the demo's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="where the app is served"
        )
        parser.add_argument(
            "--ready",
            action="append",
            default=[],
            metavar="URL",
            help="another server to wait for (with --wait), such as the Sheets emulator",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="wait up to this long for --url (and each --ready) to answer (default: do not)",
        )

    def handle(self, *args, url, ready, wait, **options):
        for server in [url, *ready] if wait else []:
            if not _answers(server, wait):
                raise CommandError(f"Nothing answered at {server} within {wait:g} seconds.")
        sign_ins = demo_sign_ins()
        if sign_ins is None:
            return
        for line in sign_in_lines(sign_ins, url):
            self.stdout.write(line)


def _answers(url: str, seconds: float) -> bool:
    """Whether the server answers at `url` (any HTTP status) within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answered, if not with a page
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
