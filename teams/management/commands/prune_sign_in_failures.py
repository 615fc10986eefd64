from django.core.management.base import BaseCommand

from teams import resets, throttle


class Command(BaseCommand):
    help = (
        "Delete the failed sign-ins and the password-reset requests older than a day. The "
        "throttles only look back an hour, so nothing they decide changes; run it daily from "
        "cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted, delete nothing."
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options):
        failures = throttle.prune(dry_run=dry_run)
        requests = resets.prune_requests(dry_run=dry_run)
        if verbosity:
            verb = "Would delete" if dry_run else "Deleted"
            noun = "failed sign-in" if failures == 1 else "failed sign-ins"
            self.stdout.write(self.style.SUCCESS(f"{verb} {failures} {noun} older than a day."))
            noun = "password-reset request" if requests == 1 else "password-reset requests"
            self.stdout.write(self.style.SUCCESS(f"{verb} {requests} {noun} older than a day."))
